"""Alembic's entry point: migrate the database of config/database.yml.

The settings come from the invoke tasks (``config.attributes["settings"]``) or, when alembic is
run by hand, from APP_ENV and DATABASE_URL, exactly as the app reads them. Every run that reaches
the database records its environment in it, unless one is recorded already (see db/protection.py):
whoever migrates (invoke, the migrate function, the test suite, alembic by hand) comes through here.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from app.db.engine import build_engine
from app.db.protection import INTERNAL_METADATA, record_environment
from app.db.settings import load_database_settings
from app.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)  # the app's loggers keep working

# DDL on a large table may take long: migrations run without the app's read and write timeouts.
settings = (config.attributes.get("settings") or load_database_settings()).without_time_limits()


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave app_internal_metadata out of what --autogenerate compares, as alembic_version is."""
    return (type_, name) != ("table", INTERNAL_METADATA.name)


options = {
    "target_metadata": Base.metadata,  # what --autogenerate compares the database with
    "compare_type": True,
    # One transaction per revision: where the server has transactional DDL, a revision that fails
    # leaves the schema as it was; where DDL commits at once, a half-done one stays (see README).
    "transaction_per_migration": True,
    "include_name": include_name,
}


def run_migrations_offline() -> None:
    """Write the SQL to stdout instead of running it (alembic upgrade --sql)."""
    context.configure(url=settings.url(), literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the command's connection (see db/migrations.py), else on one of their own."""
    shared = config.attributes.get("connection")
    if shared is not None:
        run_migrations_on(shared)
        return
    engine = build_engine(settings)
    with engine.connect() as connection:
        run_migrations_on(connection)
    engine.dispose()


def run_migrations_on(connection: Connection) -> None:
    """Apply the revisions, each in a transaction of its own, then record the environment."""
    context.configure(connection=connection, **options)
    with context.begin_transaction():
        context.run_migrations()
    record_environment(connection, settings.env)
    connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
