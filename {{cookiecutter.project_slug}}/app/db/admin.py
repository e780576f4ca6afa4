"""Create and drop the database of an environment (``invoke db.create`` / ``db.drop``)."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from ..errors import DatabaseUnavailableError, is_connection_failure
from . import driver, protection
from .engine import build_engine
from .settings import DatabaseSettings


@contextmanager
def server_connection(settings: DatabaseSettings) -> Iterator[Connection]:
    """An autocommit connection to the server itself, for CREATE and DROP DATABASE."""
    with _connection(settings, driver.SERVER_DATABASE, "cannot reach the server of") as connection:
        yield connection.execution_options(isolation_level="AUTOCOMMIT")


@contextmanager
def database_connection(settings: DatabaseSettings) -> Iterator[Connection]:
    """A connection to the environment's database itself."""
    with _connection(settings, settings.database, "cannot connect to") as connection:
        yield connection


def database_exists(settings: DatabaseSettings) -> bool:
    """True when the environment's database exists on its server."""
    with server_connection(settings) as connection:
        return _exists(connection, settings.database)


def create_database(settings: DatabaseSettings) -> bool:
    """Create the environment's database and record its environment; False when it already existed."""
    with server_connection(settings) as connection:
        if _exists(connection, settings.database):
            return False
        connection.execute(text(driver.CREATE_DATABASE.format(name=_quoted(connection, settings.database))))
    with database_connection(settings) as connection:
        protection.record_environment(connection, settings.env)
        connection.commit()
    return True


def refuse_destruction(settings: DatabaseSettings, action: str, force: bool = False) -> None:
    """Raise ProtectedDatabaseError unless ``action`` may destroy the environment's database."""
    if not database_exists(settings):
        return
    with database_connection(settings) as connection:
        protection.refuse_destruction(connection, settings.env, action, force)


def drop_database(settings: DatabaseSettings) -> bool:
    """Drop the environment's database; False when there was none (call refuse_destruction first)."""
    with server_connection(settings) as connection:
        if not _exists(connection, settings.database):
            return False
        connection.execute(text(f"DROP DATABASE {_quoted(connection, settings.database)}"))
        return True


@contextmanager
def _connection(settings: DatabaseSettings, database: str, doing: str) -> Iterator[Connection]:
    """A connection to ``database`` on the environment's server; failing to connect is one line."""
    engine = build_engine(settings, database=database)
    try:
        with engine.connect() as connection:
            yield connection
    except DBAPIError as error:
        if not is_connection_failure(error):
            raise
        raise DatabaseUnavailableError.because(f"{doing} {settings.describe()}", error) from error
    finally:
        engine.dispose()


def _exists(connection: Connection, name: str) -> bool:
    return connection.execute(text(driver.DATABASE_EXISTS), {"name": name}).first() is not None


def _quoted(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote_identifier(name)
