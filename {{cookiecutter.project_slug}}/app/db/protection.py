"""Which environment a database belongs to, recorded in the database itself, as Rails does.

``invoke db.create`` and every migration run record the environment they were asked for in the
table ``app_internal_metadata`` (Rails: ``ar_internal_metadata``), unless one is recorded already:
a record is never overwritten. Destructive actions (``db.drop``, ``db.reset``, the test suite's
emptying of tables) call ``refuse_destruction`` first, which reads the record back and refuses

- a database recorded for another environment than the one asked for, whatever ``--env``,
  APP_ENV or DATABASE_URL say (Rails: EnvironmentMismatchError); ``--force`` does not lift this,
  while Rails' DISABLE_DATABASE_ENVIRONMENT_CHECK lifts both;
- a database of a protected environment, unless forced (Rails: ProtectedEnvironmentError);
- a database that has tables but no record, which this project did not create or migrate
  (Rails: NoEnvironmentInSchemaError, for a database with migrations but no record).
"""

from sqlalchemy import Column, MetaData, String, Table, insert, inspect, select
from sqlalchemy.engine import Connection

from .settings import url_variable

# Environments whose databases db.drop and db.reset leave alone unless given --force.
# Add yours here (e.g. "staging"), as Rails' ActiveRecord::Base.protected_environments.
PROTECTED_ENVIRONMENTS = frozenset({"production"})
ENVIRONMENT_KEY = "environment"
# Kept out of the models' metadata, so that autogenerate neither creates nor drops it.
INTERNAL_METADATA = Table(
    "app_internal_metadata",
    MetaData(),
    Column("key", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
)


class ProtectedDatabaseError(Exception):
    """A destructive action was refused; the message says why and what to do instead."""


def recorded_environment(connection: Connection) -> str | None:
    """The environment recorded in the connection's database, or None when there is none."""
    if not inspect(connection).has_table(INTERNAL_METADATA.name):
        return None
    key = INTERNAL_METADATA.c.key
    return connection.scalar(select(INTERNAL_METADATA.c.value).where(key == ENVIRONMENT_KEY))


def record_environment(connection: Connection, env: str) -> None:
    """Record ``env`` as the database's environment, unless one is recorded already."""
    INTERNAL_METADATA.create(connection, checkfirst=True)
    if recorded_environment(connection) is None:
        connection.execute(insert(INTERNAL_METADATA).values(key=ENVIRONMENT_KEY, value=env))


def refuse_destruction(connection: Connection, env: str, action: str, force: bool = False) -> None:
    """Raise ProtectedDatabaseError unless ``action`` may destroy this database of ``env``."""
    database = connection.engine.url.database
    recorded = recorded_environment(connection)
    if recorded is None and inspect(connection).get_table_names():
        raise ProtectedDatabaseError(
            f"refusing to {action} {database}: it has tables but no recorded environment, so it may not "
            f"be the {env!r} one (invoke db.migrate --env ENV records the environment it belongs to)"
        )
    if recorded not in (None, env):
        raise ProtectedDatabaseError(
            f"refusing to {action} {database}: it is the {recorded!r} database, not the {env!r} one "
            f"(check {url_variable(env)} and config/database.yml)"
        )
    if env in PROTECTED_ENVIRONMENTS and not force:  # env is the recorded environment, if there is one
        raise ProtectedDatabaseError(
            f"refusing to {action} {database}: {env!r} is a protected environment; "
            "add --force if you really mean it"
        )
