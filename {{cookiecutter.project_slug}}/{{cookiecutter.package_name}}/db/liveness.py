"""Find out, before a connection is used, whether the server has closed it.

A Lambda execution environment can sit frozen for minutes. Meanwhile the server may close its
connection (idle timeout, restart, failover, an administrator's KILL). Two checks run on every
checkout from the pool:

* free: a closed connection has its socket readable (the server's goodbye, or end of file),
  which a zero-timeout poll sees without a round trip;
* after ``ping_after_idle`` seconds of idleness: a ping, for silent losses such as a NAT or
  failover that dropped the connection without telling the client.

A connection that fails either check is discarded and the pool opens a new one, so the
invocation that follows does not fail.
"""

import select
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

LAST_USED = "last_used"


def install(engine: Engine, ping_after_idle: float) -> None:
    """Check every connection of ``engine`` as it leaves the pool."""

    @event.listens_for(engine, "checkout")
    def check(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection) -> None:
        last_used = record.info.get(LAST_USED)
        if last_used is None:  # just opened
            return
        if server_hung_up(dbapi_connection):
            raise DisconnectionError("the server closed the connection")
        if time.monotonic() - last_used > ping_after_idle and not engine.dialect.do_ping(dbapi_connection):
            raise DisconnectionError("the connection did not answer a ping")

    @event.listens_for(engine, "checkin")
    def remember_use(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[LAST_USED] = time.monotonic()


def server_hung_up(dbapi_connection: Any) -> bool:
    """True when the idle connection's socket has something to read: the server closed it."""
    descriptor = socket_descriptor(dbapi_connection)
    if descriptor is None:
        return True
    poller = select.poll()
    poller.register(descriptor, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def socket_descriptor(dbapi_connection: Any) -> int | None:
    """The connection's socket file descriptor, or None when the driver has closed it."""
{%- if cookiecutter.database == "mysql" %}
    sock = dbapi_connection._sock  # PyMySQL keeps no public handle on its socket
    return None if sock is None else sock.fileno()
{%- else %}
    return None if dbapi_connection.closed else dbapi_connection.fileno()
{%- endif %}
