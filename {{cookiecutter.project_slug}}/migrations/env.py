"""Alembic's entry point: migrate the database of config/database.yml.

The settings come from the invoke tasks (``config.attributes["settings"]``) or, when alembic is
run by hand, from APP_ENV and DATABASE_URL, exactly as the app reads them. Whoever migrates (the
invoke tasks, the migrate function, the test suite, alembic by hand) comes through here, and
every run that reaches the database records in it (app/migrate.py) its environment, unless one
is recorded already, and each revision while it runs.
"""

from collections.abc import Callable, Iterable, Iterator
from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.autogenerate import rewriter
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext, MigrationInfo, MigrationStep, RevisionStep
from sqlalchemy.engine import Connection

from app.db.engine import build_engine
from app.db.settings import load_database_settings
from app.migrate import (
    INTERNAL_METADATA,
    record_environment,
    record_finished,
    record_running,
    refuse_unfinished,
)
from app.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)  # the app's loggers keep working

# DDL on a large table may take long: migrations run without the app's read and write timeouts.
settings = (config.attributes.get("settings") or load_database_settings()).without_time_limits()
autogenerate = rewriter.Rewriter()


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave app_internal_metadata out of what --autogenerate compares, as alembic_version is."""
    return (type_, name) != ("table", INTERNAL_METADATA.name)


@autogenerate.rewrites(ops.ModifyTableOps)
def drop_foreign_keys_first(context: MigrationContext, revision: Any, table: ops.ModifyTableOps) -> Any:
    """Drop a table's foreign keys before its indexes: an index a foreign key uses cannot go first.

    Autogenerate removes a column's index before its foreign key, and the reverse of adding one
    does the same; the server refuses when the key needs that index.
    """
    table.ops.sort(key=lambda op: not is_foreign_key_drop(op))  # stable: the others keep their order
    return table


def is_foreign_key_drop(op: ops.MigrateOperation) -> bool:
    return isinstance(op, ops.DropConstraintOp) and op.constraint_type == "foreignkey"


@autogenerate.rewrites(ops.UpgradeOps)
@autogenerate.rewrites(ops.DowngradeOps)
def leave_indexes_to_their_table(context: MigrationContext, revision: Any, script: Any) -> Any:
    """Leave out the index drops of a table the same revision drops: the table takes them along.

    Autogenerate drops a table's indexes first, and the server refuses to drop one that a
    foreign key of the table uses (the downgrade of a new table with an indexed foreign key).
    """
    dropped = {(op.schema, op.table_name) for op in script.ops if isinstance(op, ops.DropTableOp)}
    for table in script.ops:
        if isinstance(table, ops.ModifyTableOps) and (table.schema, table.table_name) in dropped:
            table.ops = [op for op in table.ops if not isinstance(op, ops.DropIndexOp)]
    script.ops = [op for op in script.ops if not (isinstance(op, ops.ModifyTableOps) and op.is_empty())]
    return script


def tracked(steps: Callable[..., Iterable[MigrationStep]]) -> Callable[..., Iterator[MigrationStep]]:
    """The command's steps, each revision recorded in the database before it runs.

    Alembic calls ``on_version_apply`` after a revision, in its transaction, and nothing before
    one; but the command's step function (EnvironmentContext's ``fn``) hands the steps over one
    at a time, between their transactions. So the record is written here, in the transaction
    the revision then runs in: where DDL is transactional, it goes with a revision that fails or
    is killed; where the server commits each DDL statement at once, the revision's first one
    commits the record too, which then stays exactly when the revision left part of its changes
    behind. ``finished`` removes it as Alembic records the revision done. Before any revision
    runs, one that started and did not finish stops the run (invoke db.stamp clears it).
    """

    def tracking(heads: tuple[str, ...], migration_context: MigrationContext) -> Iterator[MigrationStep]:
        connection = migration_context.connection
        for step in steps(heads, migration_context):
            if isinstance(step, RevisionStep):
                refuse_unfinished(connection)
                direction = "upgrade" if step.is_upgrade else "downgrade"
                record_running(connection, direction, step.revision.revision)
            yield step

    return tracking


def finished(ctx: MigrationContext, step: MigrationInfo, **kwargs: Any) -> None:
    """on_version_apply: the revision is recorded done, in its own transaction."""
    record_finished(ctx.connection)


options = {
    "target_metadata": Base.metadata,  # what --autogenerate compares the database with
    "compare_type": True,
    # One transaction per revision: where the server has transactional DDL, a revision that fails
    # leaves the schema as it was; where DDL commits at once, a half-done one stays, recorded as
    # such (see ``tracked``).
    "transaction_per_migration": True,
    "include_name": include_name,
    "process_revision_directives": autogenerate,
}


def run_migrations_offline() -> None:
    """Write the SQL to stdout instead of running it (alembic upgrade --sql)."""
    context.configure(url=settings.url(), literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the command's connection (see app/migrate.py), else on one of their own."""
    shared = config.attributes.get("connection")
    if shared is not None:
        run_migrations_on(shared)
        return
    engine = build_engine(settings)
    with engine.connect() as connection:
        run_migrations_on(connection)
    engine.dispose()


def run_migrations_on(connection: Connection) -> None:
    """Record the environment, then apply the revisions, each in a transaction of its own."""
    record_environment(connection, settings.env)
    connection.commit()  # Alembic begins and commits each revision's transaction itself
    context.configure(connection=connection, **options)
    # Configured again (Alembic allows it), with the command's steps tracked: see ``tracked``.
    command_steps = context.get_context().opts["fn"]
    context.configure(connection=connection, fn=tracked(command_steps), on_version_apply=finished, **options)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
