"""The migrations themselves, and what running them costs and guarantees (tasks/migrations.py)."""

from dataclasses import replace
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine

from app import migrate
from app.db.engine import build_engine
from app.db.settings import DatabaseSettings
from app.migrate import MigrationError, alembic_config, database_connection

from tasks import admin, migrations
from tests.server import Server
from tests.threads import together


def head(settings: DatabaseSettings) -> str | None:
    return ScriptDirectory.from_config(alembic_config(settings)).get_current_head()


def tables(settings: DatabaseSettings) -> set[str]:
    with database_connection(settings) as connection:
        return set(inspect(connection).get_table_names())


def test_every_revision_goes_up_down_to_base_and_up_again(scratch: DatabaseSettings) -> None:
    """A downgrade that cannot run, or leaves something behind, fails here rather than in production."""
    admin.create(scratch)
    created = tables(scratch)
    assert migrations.migrate(scratch) == (None, head(scratch))
    revisions = len(migrations.history(scratch).applied)
    assert migrations.rollback(scratch, steps=revisions) is None
    assert tables(scratch) == created | {"alembic_version"}
    assert migrations.migrate(scratch) == (None, head(scratch))


def test_two_migrations_at_once_apply_one_chain(scratch: DatabaseSettings) -> None:
    admin.create(scratch)
    results = together(lambda: migrations.migrate(scratch), lambda: migrations.migrate(scratch))
    # the one that waited for the lock found nothing to do
    assert sorted(results, key=repr) == sorted(
        [(None, head(scratch)), (head(scratch), head(scratch))], key=repr
    )


def test_a_migration_waits_a_bounded_time_for_the_lock_then_says_so(scratch: DatabaseSettings) -> None:
    admin.create(scratch)
    impatient = replace(scratch, migration_lock_timeout=0.5)
    with migrate.migration_lock(scratch), pytest.raises(MigrationError) as raised:
        migrations.migrate(impatient)
    assert str(raised.value) == (
        f"another migration of {scratch.database} holds its lock (0.5 s waited): "
        "run this again once it has finished"
    )
    assert migrations.history(scratch).heads == ()  # nothing ran


def test_the_lock_is_per_database(scratch: DatabaseSettings, settings: DatabaseSettings) -> None:
    admin.create(scratch)
    with migrate.migration_lock(settings):
        assert migrations.migrate(replace(scratch, migration_lock_timeout=0.5))[1] == head(scratch)


def test_a_migrate_command_opens_two_connections_and_closes_them(
    settings: DatabaseSettings, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = []

    def counted(*args: Any, **kwargs: Any) -> Engine:
        engine = build_engine(*args, **kwargs)
        event.listen(engine, "connect", lambda *_: opened.append(engine))
        return engine

    monkeypatch.setattr(migrate, "build_engine", counted)
    migrations.migrate(settings)  # the lock's, on the server; the migration's, on the database
    migrations.history(settings)
    assert len(opened) == 3
    assert server.connections_once_closed() == 0  # all disposed
