"""Each database records its environment; every task that writes checks it (tasks/protection.py)."""

from dataclasses import replace

import pytest
from sqlalchemy import text

from app import db
from app.db.settings import DatabaseSettings
from app.migrate import ENVIRONMENT, database_connection, recorded

from tasks import admin, migrations, protection

FORCEABLE = {
    "drop": lambda settings, force: admin.check(settings, "drop", force),
    "roll back": lambda settings, force: migrations.rollback(settings, force=force),
}
UNFORCED = {
    "migrate": lambda settings: migrations.migrate(settings),
    "seed": lambda settings: migrations.check_seed(settings),
    "stamp": lambda settings: migrations.stamp(settings, "head"),
}


def environment_of(settings: DatabaseSettings) -> str | None:
    with database_connection(settings) as connection:
        return recorded(connection, ENVIRONMENT)


def refusal(task, *args) -> str:
    with pytest.raises(protection.ProtectedDatabaseError) as raised:
        task(*args)
    return str(raised.value)


def mismatch(action: str, settings: DatabaseSettings) -> str:
    return (
        f"refusing to {action} {settings.database}: it is the 'development' database, not the 'test' one "
        "(check TEST_DATABASE_URL and config/database.yml)"
    )


def posts(settings: DatabaseSettings) -> int:
    with database_connection(settings) as connection:
        return connection.scalar(text("SELECT COUNT(*) FROM posts"))


def with_a_post(settings: DatabaseSettings) -> DatabaseSettings:
    """Create the database for ``settings.env``, migrated, with one post."""
    admin.create(settings)
    migrations.migrate(settings)
    with database_connection(settings) as connection:
        connection.execute(
            text("INSERT INTO posts (title, body, created_at, updated_at) VALUES ('kept', '', :at, :at)"),
            {"at": "2026-01-01 00:00:00"},
        )
        connection.commit()
    return settings


def create_bare(settings: DatabaseSettings) -> None:
    """Create the database as someone else would: without recording an environment."""
    with database_connection(settings, server=True) as connection:
        connection.execute(text(f"CREATE DATABASE {settings.database}"))


def test_the_test_database_is_recorded_as_test(settings: DatabaseSettings) -> None:
    assert environment_of(settings) == "test"


def test_create_records_the_environment_and_drop_accepts_it(scratch: DatabaseSettings) -> None:
    assert admin.create(scratch)
    assert environment_of(scratch) == "test"
    admin.check(scratch, "drop")


def test_another_environments_database_is_refused_by_every_task_even_with_force(
    scratch: DatabaseSettings,
) -> None:
    development = with_a_post(replace(scratch, env="development"))
    for action, task in FORCEABLE.items():
        assert refusal(task, scratch, True) == mismatch(action, scratch)
    for action, task in UNFORCED.items():
        assert refusal(task, scratch) == mismatch(action, scratch)
    assert posts(development) == 1


def test_a_protected_environment_needs_force_to_remove_but_not_to_migrate_or_seed(
    scratch: DatabaseSettings,
) -> None:
    production = with_a_post(replace(scratch, env="production"))
    for action, task in FORCEABLE.items():
        assert refusal(task, production, False) == (
            f"refusing to {action} {scratch.database}: 'production' is a protected environment; "
            "add --force if you really mean it"
        )
    assert posts(production) == 1
    for task in UNFORCED.values():
        task(production)
    script = migrations.history(production).script
    previous = script.get_revision(script.get_current_head()).down_revision
    assert migrations.rollback(production, force=True) == previous


def test_protected_environments_are_configurable(
    scratch: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(protection, "PROTECTED_ENVIRONMENTS", frozenset({"production", "test"}))
    admin.create(scratch)
    assert refusal(admin.check, scratch, "drop") == (
        f"refusing to drop {scratch.database}: 'test' is a protected environment; "
        "add --force if you really mean it"
    )


def test_a_database_with_tables_but_no_record_is_refused_until_migrated(scratch: DatabaseSettings) -> None:
    create_bare(scratch)
    with database_connection(scratch) as connection:
        connection.execute(text("CREATE TABLE legacy (id INTEGER PRIMARY KEY)"))
        connection.commit()
    assert refusal(admin.check, scratch, "drop") == (
        f"refusing to drop {scratch.database}: it has tables but no recorded environment, so it may not "
        "be the 'test' one (invoke db.migrate --env ENV records the environment it belongs to)"
    )
    migrations.migrate(scratch)
    assert environment_of(scratch) == "test"
    admin.check(scratch, "drop")


def test_migrating_records_the_environment_once(scratch: DatabaseSettings) -> None:
    create_bare(scratch)
    assert environment_of(scratch) is None
    migrations.migrate(scratch)
    assert environment_of(scratch) == "test"
    with pytest.raises(protection.ProtectedDatabaseError):
        migrations.migrate(replace(scratch, env="production"))
    assert environment_of(scratch) == "test"


def test_the_suite_refuses_to_empty_another_database(scratch: DatabaseSettings) -> None:
    admin.create(replace(scratch, env="development"))
    with (
        database_connection(scratch) as connection,
        pytest.raises(protection.ProtectedDatabaseError) as raised,
    ):
        protection.check(connection, "test", "empty the tables of", removes=True)
    assert str(raised.value).startswith(f"refusing to empty the tables of {scratch.database}: it is the ")
    assert db.current().settings.database != scratch.database
