"""The database of this execution environment, and a unit of work per invocation.

Importing this module connects to nothing, so a cold start survives a database that is down.
The engine is built on first use and kept for the life of the process: on Lambda that is the
execution environment, which serves one invocation at a time over one connection.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Concatenate

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.db import secrets
from {{ cookiecutter.package_name }}.db.engine import build_engine
from {{ cookiecutter.package_name }}.db.settings import DatabaseSettings, load_database_settings
from {{ cookiecutter.package_name }}.errors import DatabaseUnavailableError


@dataclass(frozen=True)
class Database:
    """Settings, engine and session factory of the current environment."""

    settings: DatabaseSettings
    engine: Engine
    sessions: sessionmaker[Session]


@functools.cache
def current() -> Database:
    """The process-wide database, built on first call (settings are read then, not at import)."""
    settings = load_database_settings()
    engine = build_engine(settings)
    return Database(settings, engine, sessionmaker(engine, expire_on_commit=False))


def reset() -> None:
    """Close the connection and forget the engine and settings: the next use reads them again."""
    if current.cache_info().currsize:
        current().engine.dispose()
    current.cache_clear()
    secrets.forget()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session for one unit of work: commit on success, roll back on error, always release.

    Raises DatabaseUnavailableError when the database cannot be reached or the connection
    is lost mid-way; the next unit of work starts on a fresh connection.
    """
    database = current()
    try:
        with database.sessions.begin() as session:
            _connect(session, database.settings)
            yield session
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        raise DatabaseUnavailableError(
            f"lost the connection to the database at {database.settings.describe()}: {_reason(error)}"
        ) from error


def with_session[**P, R](handler: Callable[Concatenate[Session, P], R]) -> Callable[P, R]:
    """Decorate a handler to receive a session as its first argument, in a unit of work."""

    @functools.wraps(handler)
    def run_in_unit_of_work(*args: P.args, **kwargs: P.kwargs) -> R:
        with session_scope() as session:
            return handler(session, *args, **kwargs)

    return run_in_unit_of_work


def _connect(session: Session, settings: DatabaseSettings) -> None:
    """Check a connection out of the pool now, so that an unreachable server is named clearly."""
    try:
        session.connection()
    except DBAPIError as error:
        reset()  # the next invocation reads the settings again: a rotated password, say
        raise DatabaseUnavailableError(
            f"cannot connect to the database at {settings.describe()}: {_reason(error)}"
        ) from error


def _reason(error: DBAPIError) -> str:
    """The driver's own message, on one line."""
    return " ".join(str(error.orig).split()) or type(error.orig).__name__
