"""Find out, before a connection is used, whether the server has closed it.

A Lambda execution environment can sit frozen for minutes. Meanwhile the server may close its
connection (idle timeout, restart, failover, an administrator's KILL). Two checks run on every
checkout from the pool, SQLAlchemy's pessimistic disconnect handling done in a ``checkout`` event:

* free: a closed connection has its socket readable (the server's goodbye, or end of file),
  which a zero-timeout poll sees without a round trip;
* after ``ping_after_idle`` seconds of idleness: a ping, for silent losses such as a NAT or
  failover that dropped the connection without telling the client. A ping that fails or does
  not answer within the read timeout, like ``pool_pre_ping``'s, marks the connection dead.

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

from .driver import socket_descriptor

LAST_USED = "last_used"


def install(engine: Engine, ping_after_idle: float) -> None:
    """Check every connection of ``engine`` as it leaves the pool."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkout")
    def check(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection) -> None:
        last_used = record.info.get(LAST_USED)
        if last_used is None:  # just opened
            return
        if server_hung_up(dbapi_connection):
            raise DisconnectionError("the server closed the connection")
        if time.monotonic() - last_used > ping_after_idle:
            try:
                dialect.do_ping(dbapi_connection)  # raises when the connection is dead
            except (dialect.loaded_dbapi.Error, OSError) as error:
                raise DisconnectionError("the connection did not answer a ping") from error

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
