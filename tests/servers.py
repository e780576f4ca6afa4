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
