"""The migrate function, and the core every migration run goes through: lock, create, upgrade.

The deployed MigrateFunction (``invoke db.migrate --remote``) prepares the database from inside
its VPC, as Rails' ``db:prepare`` does: it creates the database when missing, then applies the
migrations. The invoke tasks (tasks/migrations.py) run the same core, and every run holds the
database's migration lock: of two deploys at once, the second waits for the first, then finds
nothing to do, or says in one line that it stopped waiting.

After each upgrade, the owner (database.yml's ``username``, who runs the migrations) keeps the
app user (``app_username``, whom the API logs in as) in step: created when missing, given its
current password, and rights on the data only (app/app_user.py). A rotated password reaches the
server that way: update the secret, then migrate.

Each database records in itself, in the table ``app_internal_metadata`` (Rails:
``ar_internal_metadata``), the environment it belongs to, and while a revision runs, which one
(migrations/env.py): a revision that stopped midway stays visible, and stops the next runs.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import Column, MetaData, String, Table, delete, insert, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from . import app_user
from .db import credentials, driver
from .db.engine import build_engine
from .db.settings import DatabaseSettings, load_database_settings
from .environment import PROJECT_ROOT, on_lambda
from .errors import ConfigurationError, DatabaseUnavailableError, driver_reason, is_connection_failure

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
# Kept out of the models' metadata, so that autogenerate neither creates nor drops it.
INTERNAL_METADATA = Table(
    "app_internal_metadata",
    MetaData(),
    Column("key", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
)
ENVIRONMENT = "environment"  # the environment the database belongs to
RUNNING = "running_revision"  # while a revision runs: "upgrade <revision>" or "downgrade <revision>"
FAILED_MIGRATION = "a migration failed on {database}: {reason} (invoke db.status shows where it stands)"
UNREADABLE_VERSION = "cannot read the migration version of {database}: {reason}"


class MigrationError(Exception):
    """A migration cannot be done as asked; the message says why."""


def handler(event: dict[str, Any] | None, context: Any) -> dict[str, Any]:
    """Create the database of APP_ENV if needed, upgrade it to ``event["target"]`` (head), keep the app user.

    Answers with the database, whether it was created, and its revision before and after. A
    failure is raised, so that Lambda reports it as a function error and logs it.
    """
    target = (event or {}).get("target") or "head"
    settings = load_database_settings()
    with migration_lock(settings):
        created = create_database(settings)
        with connected(settings) as config:
            previous, current = upgrade(config, target)
            keep_app_user(config.attributes["connection"], settings)
    return {"database": settings.database, "created": created, "previous": previous, "current": current}


@contextmanager
def migration_lock(settings: DatabaseSettings) -> Iterator[None]:
    """Hold the database's migration lock, waiting at most ``settings.migration_lock_timeout``.

    Taken on a connection to the server, not to the database, so that it covers creating the
    database too: the lock is named after the database, and the server sees every client's
    locks there (a named lock is server-wide; an advisory lock belongs to the database it is
    taken in, here the maintenance one). A process that dies releases it with its connection.
    """
    name = f"migrate {settings.database}"[:64]  # the longest lock name; a shared prefix only waits longer
    timeout = settings.migration_lock_timeout
    with database_connection(settings, server=True) as connection:
        if not driver.acquire_lock(connection, name, timeout):
            raise MigrationError(
                f"another migration of {settings.database} holds its lock ({timeout:g} s waited): "
                "run this again once it has finished"
            )
        try:
            yield
        finally:
            driver.release_lock(connection, name)


def create_database(settings: DatabaseSettings) -> bool:
    """Create the database and record its environment; False when it existed (hold the lock)."""
    with database_connection(settings, server=True) as connection:
        if database_exists(connection, settings.database):
            return False
        quoted = connection.dialect.identifier_preparer.quote_identifier(settings.database)
        with one_line(settings, "cannot create {database}: {reason}"):
            connection.execute(text(driver.CREATE_DATABASE.format(name=quoted)))
    with database_connection(settings) as connection:
        record_environment(connection, settings.env)
        connection.commit()
    return True


def database_exists(server: Connection, name: str) -> bool:
    """True when the database ``name`` exists on the server of the connection ``server``."""
    return server.execute(text(driver.DATABASE_EXISTS), {"name": name}).first() is not None


def upgrade(config: Config, target: str = "head") -> tuple[str | None, str | None]:
    """Apply the migrations up to ``target``; the revisions the database was and is then at."""
    previous = current_revision(config)
    with one_line(config.attributes["settings"]):
        command.upgrade(config, target)
    return previous, current_revision(config)


def keep_app_user(connection: Connection, settings: DatabaseSettings) -> None:
    """Create the app user when missing, give it its current password (or IAM login), and data rights.

    Run after every upgrade, under the migration lock: the rights then cover the tables the
    revisions created, and a rotated password is set. A failure is one line, without the
    driver's error chained: the statement's parameters hold the password.
    """
    username = settings.app_username
    password = app_user_password(settings)
    try:
        app_user.keep(connection, username, password, settings.database)
        connection.commit()
    except DBAPIError as error:
        connection.rollback()
        doing = f"cannot set up the app user {username} on {settings.database}"
        raise MigrationError(f"{doing}: {driver_reason(error)}") from None


def app_user_password(settings: DatabaseSettings) -> str | None:
    """The app user's password: app_password, else its secret's (read anew); None: IAM tokens."""
    if settings.app_password:
        return settings.app_password
    if settings.app_password_secret:
        return credentials.password(settings.app_password_secret, refresh=True)  # a rotation is seen at once
    if settings.iam_auth:
        return None
    raise ConfigurationError(
        f"the app user of {settings.env!r} has no password: set app_password (DB_APP_PASS) or "
        "app_password_secret (DB_APP_SECRET_ARN), or log in with IAM (DB_IAM_AUTH=true)"
    )


def current_revision(config: Config) -> str | None:
    """The revision the database is at, or None before the first migration."""
    return read(config, MigrationContext.get_current_revision)


def read[T](config: Config, question: Callable[[MigrationContext], T]) -> T:
    """Ask Alembic about the command's connection, then end the transaction that opened."""
    connection = config.attributes["connection"]
    with one_line(config.attributes["settings"], UNREADABLE_VERSION):
        answer = question(MigrationContext.configure(connection))
    connection.commit()  # each revision then runs in a transaction of its own, as env.py asks
    return answer


@contextmanager
def connected(settings: DatabaseSettings) -> Iterator[Config]:
    """Alembic's configuration, and the one connection every step of a command shares.

    Alembic's cookbook way (``config.attributes["connection"]``, which migrations/env.py uses),
    without the app's read and write timeouts (DDL may run long).
    """
    with database_connection(settings) as connection:
        config = alembic_config(settings)
        config.attributes["connection"] = connection
        yield config


def alembic_config(settings: DatabaseSettings) -> Config:
    """Alembic's configuration, pointed at the database of ``settings`` (env.py reads it)."""
    config = Config(ALEMBIC_INI)
    config.attributes["settings"] = settings
    config.attributes["configure_logging"] = not on_lambda()  # Lambda's JSON logging stays as it is
    return config


@contextmanager
def database_connection(settings: DatabaseSettings, server: bool = False) -> Iterator[Connection]:
    """A connection to the environment's database, or (``server``) to its server in autocommit.

    The server's connection is what CREATE DATABASE and the migration lock need. Failing to
    connect is one line: DatabaseUnavailableError.
    """
    database = driver.SERVER_DATABASE if server else settings.database
    engine = build_engine(settings.without_time_limits(), database=database)
    doing = "cannot reach the server of" if server else "cannot connect to"
    try:
        with engine.connect() as connection:
            yield connection.execution_options(isolation_level="AUTOCOMMIT") if server else connection
    except DBAPIError as error:
        if not is_connection_failure(error):
            raise
        raise DatabaseUnavailableError.because(f"{doing} {settings.describe()}", error) from error
    finally:
        engine.dispose()


@contextmanager
def one_line(settings: DatabaseSettings, failure: str = FAILED_MIGRATION) -> Iterator[None]:
    """Alembic's and the driver's errors as one line: MigrationError, or DatabaseUnavailableError."""
    try:
        yield
    except (CommandError, RevisionError) as error:
        raise MigrationError(str(error)) from error
    except DBAPIError as error:
        if is_connection_failure(error):
            doing = f"cannot connect to {settings.describe()}"
            raise DatabaseUnavailableError.because(doing, error) from error
        raise MigrationError(
            failure.format(database=settings.database, reason=driver_reason(error))
        ) from error


def recorded(connection: Connection, key: str) -> str | None:
    """The value the database records under ``key`` (``ENVIRONMENT``, ``RUNNING``), or None."""
    if not inspect(connection).has_table(INTERNAL_METADATA.name):
        return None
    return connection.scalar(select(INTERNAL_METADATA.c.value).where(INTERNAL_METADATA.c.key == key))


def record_environment(connection: Connection, env: str) -> None:
    """Record ``env`` as the database's environment; refuse a database recorded for another one.

    A record is never overwritten. Every migration run comes through here (migrations/env.py),
    the migrate function's included, so none migrates another environment's database, whatever
    its settings say; the tasks check it earlier, with the fix (tasks/protection.py).
    """
    INTERNAL_METADATA.create(connection, checkfirst=True)
    environment = recorded(connection, ENVIRONMENT)
    if environment is None:
        connection.execute(insert(INTERNAL_METADATA).values(key=ENVIRONMENT, value=env))
    elif environment != env:
        raise MigrationError(
            f"refusing to migrate {connection.engine.url.database}: it is the {environment!r} database, "
            f"not the {env!r} one"
        )


def record_running(connection: Connection, direction: str, revision: str) -> None:
    """Record that ``revision`` starts to run (``direction``: upgrade or downgrade)."""
    connection.execute(insert(INTERNAL_METADATA).values(key=RUNNING, value=f"{direction} {revision}"))


def record_finished(connection: Connection) -> None:
    """Forget the running revision: it has finished, or has been stamped."""
    connection.execute(delete(INTERNAL_METADATA).where(INTERNAL_METADATA.c.key == RUNNING))


def refuse_unfinished(connection: Connection) -> None:
    """Raise MigrationError when a revision started and did not finish (see migrations/env.py)."""
    running = recorded(connection, RUNNING)
    if running:
        direction, revision = running.split()
        raise MigrationError(
            f"the {direction} of {revision} started on {connection.engine.url.database} and did not "
            "finish: invoke db.status says how to recover, with invoke db.stamp"
        )
