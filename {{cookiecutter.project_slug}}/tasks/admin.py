"""Create and drop the database of an environment (``invoke db.create`` / ``db.drop``)."""

from sqlalchemy import text

from app.db.settings import DatabaseSettings
from app.migrate import create_database, database_connection, database_exists, migration_lock

from tasks import protection


def create(settings: DatabaseSettings) -> bool:
    """Create the environment's database and record its environment; False when it already existed.

    Under the migration lock, as the migrate function creates it: two at once create it once.
    """
    with migration_lock(settings):
        return create_database(settings)


def exists(settings: DatabaseSettings) -> bool:
    """True when the environment's database exists on its server."""
    with database_connection(settings, server=True) as connection:
        return database_exists(connection, settings.database)


def check(settings: DatabaseSettings, action: str, force: bool = False) -> None:
    """Raise ProtectedDatabaseError unless ``action`` may remove the environment's database."""
    if not exists(settings):
        return
    with database_connection(settings) as connection:
        protection.check(connection, settings.env, action, removes=True, force=force)


def drop_database(settings: DatabaseSettings) -> bool:
    """Drop the environment's database; False when there was none (``check`` it first)."""
    with database_connection(settings, server=True) as connection:
        if not database_exists(connection, settings.database):
            return False
        quoted = connection.dialect.identifier_preparer.quote_identifier(settings.database)
        connection.execute(text(f"DROP DATABASE {quoted}"))
    return True
