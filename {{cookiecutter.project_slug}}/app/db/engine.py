"""The engine, and what happens to its connections: opened, checked out, and reset after a unit.

* Opened: the driver's connection with its timeouts and TLS (``driver``), logging in with the
  password or IAM token of each new connection (``credentials``).
* Checked out: before a connection is used, whether the server has closed it (below).
* Reset: after a unit of work, only what it left open (below).
"""

import select
import time
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection, PoolResetState

from . import credentials, driver
from .settings import DatabaseSettings

READ_ONLY = "read_only"  # the mode a connection was left in by its last unit of work
ENDED = "transaction_ended"  # set on a connection whose last transaction was committed or rolled back
LAST_USED = "last_used"  # when a connection went back to the pool


def build_engine(settings: DatabaseSettings, database: str | None = None) -> Engine:
    """An engine that keeps at most ``settings.pool`` connections and never opens more.

    Nothing connects until the engine is first used. Every wait is bounded by the settings:
    connecting, each read and write, and waiting for a pooled connection.
    """
    engine = create_engine(
        settings.url(database),
        pool_size=settings.pool,
        max_overflow=0,
        pool_timeout=settings.pool_timeout,
        pool_reset_on_return=None,  # reset_only_what_is_open rolls back only what is still open
        skip_autocommit_rollback=True,  # no ROLLBACK after a read-only (autocommit) unit
        connect_args=driver.timeout_args(settings) | driver.tls_args(settings),
        **driver.ENGINE_ARGS,
    )
    credentials.install(engine, settings)  # first: its listeners connect with the password they supply
    driver.install(engine, settings)
    reset_only_what_is_open(engine)
    check_on_checkout(engine, settings.ping_after_idle)
    return engine


def check_on_checkout(engine: Engine, ping_after_idle: float) -> None:
    """Find out, before a connection is used, whether the server has closed it.

    A Lambda execution environment can sit frozen for minutes. Meanwhile the server may close its
    connection (idle timeout, restart, failover, an administrator's KILL). Two checks run on every
    checkout from the pool, SQLAlchemy's pessimistic disconnect handling done in a ``checkout``
    event:

    * free: a closed connection has its socket readable (the server's goodbye, or end of file),
      which a zero-timeout poll sees without a round trip;
    * after ``ping_after_idle`` seconds of idleness: a ping, for silent losses such as a NAT or
      failover that dropped the connection without telling the client. A ping that fails or does
      not answer within the read timeout, like ``pool_pre_ping``'s, marks the connection dead.

    A connection that fails either check is discarded and the pool opens a new one, so the
    invocation that follows does not fail.
    """
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
    descriptor = driver.socket_descriptor(dbapi_connection)
    if descriptor is None:
        return True
    poller = select.poll()
    poller.register(descriptor, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def reset_only_what_is_open(engine: Engine) -> None:
    """Reset the connections of ``engine`` only when their last unit left a transaction open.

    A unit of work is one database transaction from its first statement, as with SQLAlchemy's own
    ``Session.begin()``: the driver runs with autocommit off, so the transaction opens with the
    first statement (see ``driver`` for how the server does it). Two things are added, both
    through SQLAlchemy's documented events, neither changing what a transaction means:

    * No ``ROLLBACK`` when a connection goes back to the pool after its unit committed or rolled
      back (SQLAlchemy's default reset sends one, a round trip of its own). A connection returned
      with a transaction still open is rolled back as usual.
    * Read-only units (``session_scope(readonly=True)``, see ``use_mode``) run in the server's
      autocommit mode with the session marked read-only: each statement is its own transaction,
      nothing is sent to end the unit, and a write fails on the server.
    """

    @event.listens_for(engine, "begin")
    def note_begin(connection: Connection) -> None:
        connection.connection.info[ENDED] = False

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def note_end(connection: Connection) -> None:
        if not connection.invalidated:  # an invalidated connection is discarded, not reset
            connection.connection.info[ENDED] = True

    @event.listens_for(engine, "reset")
    def end_open_transaction(
        dbapi_connection: Any, record: ConnectionPoolEntry, state: PoolResetState
    ) -> None:
        if state.terminate_only or state.transaction_was_reset or record.info.get(ENDED, False):
            return
        engine.dialect.do_rollback(dbapi_connection)  # skipped in autocommit (skip_autocommit_rollback)


def use_mode(connection: Connection, read_only: bool) -> None:
    """Put the unit's connection in its mode (read-only or read-write), if it is not in it yet.

    The connection stays in the mode of its last unit; switching between a read-only unit and a
    read-write one costs one ``SET`` round trip.
    """
    info = connection.connection.info
    if info.get(READ_ONLY, False) != read_only:
        driver.set_read_only(connection, read_only)
        info[READ_ONLY] = read_only
