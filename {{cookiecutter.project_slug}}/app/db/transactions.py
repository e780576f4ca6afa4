"""How a unit of work's transaction starts and ends on a pooled connection.

A unit of work is one database transaction from its first statement, as with SQLAlchemy's own
``Session.begin()``: the driver runs with autocommit off, so the transaction opens with the first
statement (see ``driver.py`` for how the server does it). Two things are added, both through
SQLAlchemy's documented events, neither changing what a transaction means:

* No ``ROLLBACK`` when a connection goes back to the pool after its unit committed or rolled back
  (SQLAlchemy's default reset sends one, a round trip of its own). A connection returned
  with a transaction still open is rolled back as usual.
* Read-only units (``session_scope(readonly=True)``) run in the server's autocommit mode with the
  session marked read-only: each statement is its own transaction, nothing is sent to end the
  unit, and a write fails on the server. The connection stays in the mode of its last unit;
  switching between a read-only unit and a read-write one costs one ``SET`` round trip.
"""

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolResetState

from . import driver

READ_ONLY = "read_only"  # the mode a connection was left in by its last unit of work
ENDED = "transaction_ended"  # set on a connection whose last transaction was committed or rolled back


def use_mode(connection: Connection, read_only: bool) -> None:
    """Put the unit's connection in its mode (read-only or read-write), if it is not in it yet."""
    info = connection.connection.info
    if info.get(READ_ONLY, False) != read_only:
        driver.set_read_only(connection, read_only)
        info[READ_ONLY] = read_only


def install(engine: Engine) -> None:
    """Reset the connections of ``engine`` only when their last unit left a transaction open."""

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
