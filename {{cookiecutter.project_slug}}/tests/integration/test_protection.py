"""Each database records its environment; destructive actions check it (db/protection.py)."""

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import text

from app import db
from app.db import admin, protection
from app.db.migrations import upgrade
from app.db.settings import DatabaseSettings


@pytest.fixture
def scratch(settings: DatabaseSettings) -> Iterator[DatabaseSettings]:
    """A database of its own on the test server, for the development environment; dropped after."""
    scratch = replace(settings, env="development", database=f"{settings.database}_scratch")
    admin.drop_database(scratch)
    yield scratch
    admin.drop_database(scratch)


def recorded(settings: DatabaseSettings) -> str | None:
    with admin.database_connection(settings) as connection:
        return protection.recorded_environment(connection)


def refusal(settings: DatabaseSettings, action: str = "drop", force: bool = False) -> str:
    with pytest.raises(protection.ProtectedDatabaseError) as raised:
        admin.refuse_destruction(settings, action, force)
    return str(raised.value)


def create_bare(settings: DatabaseSettings) -> None:
    """Create the database as someone else would: without recording an environment."""
    with admin.server_connection(settings) as connection:
        connection.execute(text(f"CREATE DATABASE {settings.database}"))


def test_the_test_database_is_recorded_as_test(settings: DatabaseSettings) -> None:
    assert recorded(settings) == "test"


def test_create_records_the_environment_and_drop_accepts_it(scratch: DatabaseSettings) -> None:
    assert admin.create_database(scratch)
    assert recorded(scratch) == "development"
    admin.refuse_destruction(scratch, "drop")


def test_another_environments_database_is_refused_even_with_force(scratch: DatabaseSettings) -> None:
    admin.create_database(scratch)
    asked = replace(scratch, env="test")
    expected = (
        f"refusing to drop {scratch.database}: it is the 'development' database, not the 'test' one "
        "(check TEST_DATABASE_URL and config/database.yml)"
    )
    assert refusal(asked) == expected
    assert refusal(asked, force=True) == expected


def test_a_protected_environment_needs_force(scratch: DatabaseSettings) -> None:
    production = replace(scratch, env="production")
    admin.create_database(production)
    assert refusal(production, "reset") == (
        f"refusing to reset {scratch.database}: 'production' is a protected environment; "
        "add --force if you really mean it"
    )
    admin.refuse_destruction(production, "reset", force=True)


def test_protected_environments_are_configurable(
    scratch: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(protection, "PROTECTED_ENVIRONMENTS", frozenset({"production", "development"}))
    admin.create_database(scratch)
    assert refusal(scratch) == (
        f"refusing to drop {scratch.database}: 'development' is a protected environment; "
        "add --force if you really mean it"
    )


def test_a_database_with_tables_but_no_record_is_refused(scratch: DatabaseSettings) -> None:
    create_bare(scratch)
    with admin.database_connection(scratch) as connection:
        connection.execute(text("CREATE TABLE legacy (id INTEGER PRIMARY KEY)"))
        connection.commit()
    assert refusal(scratch) == (
        f"refusing to drop {scratch.database}: it has tables but no recorded environment, so it may not "
        "be the 'development' one (invoke db.migrate --env ENV records the environment it belongs to)"
    )


def test_migrating_records_the_environment_once(scratch: DatabaseSettings) -> None:
    create_bare(scratch)
    assert recorded(scratch) is None
    upgrade(scratch)
    assert recorded(scratch) == "development"
    upgrade(replace(scratch, env="production"))
    assert recorded(scratch) == "development"


def test_the_suite_refuses_to_empty_another_database(scratch: DatabaseSettings) -> None:
    admin.create_database(scratch)
    with (
        admin.database_connection(scratch) as connection,
        pytest.raises(protection.ProtectedDatabaseError) as raised,
    ):
        protection.refuse_destruction(connection, "test", "empty the tables of")
    assert str(raised.value).startswith(f"refusing to empty the tables of {scratch.database}: it is the ")
    assert db.current().settings.database != scratch.database
