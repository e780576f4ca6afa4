"""The database of this execution environment, and a unit of work per invocation.

Importing this module connects to nothing, so a cold start survives a database that is down.
The engine is built on first use, once whatever the number of threads, and kept for the life of
the process: on Lambda that is the execution environment, which serves one invocation at a time
over one connection.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import DatabaseUnavailableError, ReadOnlyError, is_connection_failure
from . import credentials
from .driver import is_read_only_violation
from .engine import build_engine, use_mode
from .settings import DatabaseSettings, load_database_settings


@dataclass(frozen=True)
class Database:
    """Settings, engine and session factory of the current environment, as the app user."""

    settings: DatabaseSettings
    engine: Engine
    sessions: sessionmaker[Session]


_database: Database | None = None
_lock = threading.Lock()
_open_session: ContextVar[Session | None] = ContextVar("open_session", default=None)


def current() -> Database:
    """The process-wide database, built on first call (settings are read then, not at import)."""
    global _database
    if _database is None:
        with _lock:
            if _database is None:
                settings = load_database_settings().as_app_user()  # data rights only: no DDL
                engine = build_engine(settings)
                _database = Database(settings, engine, sessionmaker(engine, expire_on_commit=False))
    return _database


def reset() -> None:
    """Close the connection and forget the engine, settings and secrets: the next use reads them again."""
    global _database
    with _lock:
        if _database is not None:
            _database.engine.dispose()
        _database = None
    credentials.forget()


def discard_connections() -> None:
    """Empty the pool without closing its connections: they belong to another process.

    After a SnapStart restore (or in a forked child) a pooled connection would be shared with the
    environment it was opened in; closing it would end that one's session too, and could wait on a
    server that is down. The next unit of work opens a connection of its own.
    """
    if _database is None:
        return
    pool = _database.engine.pool
    if pool.checkedin() or pool.checkedout():  # QueuePool's counts; a new pool costs a millisecond
        _database.engine.dispose(close=False)


@contextmanager
def session_scope(readonly: bool = False) -> Iterator[Session]:
    """A session for one unit of work: one transaction, committed on success, rolled back on error.

    With ``readonly``, each statement runs on its own in a read-only session and nothing is
    sent to end the unit; a write raises ReadOnlyError. Raises DatabaseUnavailableError when
    the database cannot be reached or the connection is lost mid-way; the next unit of work
    starts on a fresh connection.

    A ``session_scope()`` inside another one joins it, as Rails' nested transactions do: the same
    session and transaction, flushed when the inner one ends and committed by the outer one. That
    is how a route's writes and its Idempotency-Key (app/idempotency.py) commit together.
    """
    joined = _open_session.get()
    if joined is not None:
        yield joined
        joined.flush()  # its writes are sent, as a commit would: ids and defaults are filled in
        return
    database = current()
    try:
        if readonly:
            with database.sessions() as session, _opened(session):  # closed, not committed: nothing to end
                use_mode(session.connection(), read_only=True)
                yield session
        else:
            with database.sessions.begin() as session, _opened(session):
                use_mode(session.connection(), read_only=False)
                yield session
    except PoolTimeoutError as error:
        raise DatabaseUnavailableError(
            f"no free connection to {database.settings.describe()}: {error}"
        ) from error
    except DBAPIError as error:
        if readonly and is_read_only_violation(error.orig):
            raise ReadOnlyError(
                "this unit of work is read-only: write in session_scope() without readonly=True"
            ) from error
        if not is_connection_failure(error):
            raise
        doing = "lost the connection to" if error.connection_invalidated else "cannot connect to"
        where = f"{doing} the database at {database.settings.describe()}"
        raise DatabaseUnavailableError.because(where, error) from error


@contextmanager
def _opened(session: Session) -> Iterator[None]:
    """Make ``session`` the one that scopes opened meanwhile, in this thread, join."""
    token = _open_session.set(session)
    try:
        yield
    finally:
        _open_session.reset(token)
