"""The migrate function (app/migrate.py), run here against the real server."""

from dataclasses import replace

import pytest

from app.db.settings import DatabaseSettings
from app.migrate import MigrationError, create_database, handler, migration_lock

from tasks import migrations
from tests.threads import together


@pytest.fixture
def current(settings: DatabaseSettings) -> str | None:
    """The head revision of migrations/versions."""
    return migrations.history(settings).script.get_current_head()


@pytest.fixture
def aimed_at_scratch(scratch: DatabaseSettings, monkeypatch: pytest.MonkeyPatch) -> DatabaseSettings:
    """The function's environment names the scratch database, which does not exist yet."""
    monkeypatch.setenv("TEST_DATABASE_URL", scratch.url().render_as_string(hide_password=False))
    return scratch


def test_it_creates_the_database_upgrades_it_and_reports_the_revisions(
    aimed_at_scratch: DatabaseSettings, current: str
) -> None:
    database = aimed_at_scratch.database
    first = handler({}, None)
    assert first == {"database": database, "created": True, "previous": None, "current": current}
    again = handler({"target": "head"}, None)
    assert again == {"database": database, "created": False, "previous": current, "current": current}


def test_two_invocations_at_once_create_and_migrate_once(
    aimed_at_scratch: DatabaseSettings, current: str
) -> None:
    database = aimed_at_scratch.database
    answers = together(lambda: handler({}, None), lambda: handler({}, None))
    assert sorted(answers, key=repr) == sorted(
        [
            {"database": database, "created": True, "previous": None, "current": current},
            {"database": database, "created": False, "previous": current, "current": current},
        ],
        key=repr,
    )
    assert migrations.history(aimed_at_scratch).heads == (current,)


def test_it_refuses_a_database_recorded_for_another_environment(
    aimed_at_scratch: DatabaseSettings, current: str
) -> None:
    production = replace(aimed_at_scratch, env="production")
    with migration_lock(production):
        create_database(production)  # an empty database, recorded as production's
    with pytest.raises(MigrationError, match=r"it is the 'production' database, not the 'test' one"):
        handler({}, None)
    assert migrations.history(aimed_at_scratch).heads == ()  # nothing applied


def test_an_unknown_target_fails_with_alembics_reason(settings: DatabaseSettings) -> None:
    with pytest.raises(MigrationError, match="nosuchrevision"):
        handler({"target": "nosuchrevision"}, None)
