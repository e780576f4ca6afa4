"""Ask the real MariaDB and PostgreSQL servers what exists, from outside the generated project."""

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

SERVER_URLS = {
    "mysql": "mysql+pymysql://root@127.0.0.1:3306/",
    "postgresql": "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres",
}
LIST_DATABASES = {
    "mysql": "SELECT schema_name FROM information_schema.schemata",
    "postgresql": "SELECT datname FROM pg_database",
}


def engine(database: str, name: str | None = None) -> Engine:
    """An engine on the server of ``database``, optionally on the database ``name``."""
    url = SERVER_URLS[database]
    if name:
        url = url.rsplit("/", 1)[0] + "/" + name
    return create_engine(url, poolclass=NullPool)


def databases(database: str) -> set[str]:
    with engine(database).connect() as connection:
        return set(connection.scalars(text(LIST_DATABASES[database])))


def tables(database: str, name: str) -> set[str]:
    return set(inspect(engine(database, name)).get_table_names())


def columns(database: str, name: str, table: str) -> set[str]:
    return {column["name"] for column in inspect(engine(database, name)).get_columns(table)}


def scalar(database: str, name: str, sql: str) -> object:
    with engine(database, name).connect() as connection:
        return connection.scalar(text(sql))


def drop_databases(database: str, app_name: str) -> None:
    """Drop what an earlier run left of a project's databases, so a bake starts from nothing."""
    with engine(database).connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        for suffix in ("development", "test", "production"):
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {app_name}_{suffix}")


# The sessions waiting for a migration lock (app/migrate.py, the drivers' acquire_lock).
LOCK_WAITERS = {
    "mysql": "SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE :pattern",
    "postgresql": (
        "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event = 'advisory' AND query LIKE :pattern"
    ),
}
LOCK_QUERIES = {"mysql": "SELECT GET_LOCK('migrate {name}'%", "postgresql": "SELECT pg_advisory_lock(%"}


def lock_waiters(database: str, name: str) -> int:
    """How many sessions wait for the migration lock of the database ``name``.

    PostgreSQL's query shows the lock's key, not its name: there, any session waiting for a
    migration lock counts.
    """
    pattern = LOCK_QUERIES[database].format(name=name)
    with engine(database).connect() as connection:
        return connection.scalar(text(LOCK_WAITERS[database]), {"pattern": pattern})
