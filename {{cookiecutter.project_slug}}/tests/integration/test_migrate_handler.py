"""The migrate function (app/migrate.py), run here against the real server."""

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.db.driver import SERVER_DATABASE
from app.db.settings import DatabaseSettings, load_database_settings
from app.migrate import MigrationError, create_database, handler, migration_lock
from app.models import Post

from tasks import admin, migrations
from tests.sql import CREATE_OWNER, DROP_USER, takes_password
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


@pytest.fixture
def own_app_user(aimed_at_scratch: DatabaseSettings, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The function's environment names an app user of the test's own; dropped after."""
    username = f"{aimed_at_scratch.app_username[:27]}_own"  # the test's suite logs in as the usual one
    monkeypatch.setenv("DB_APP_USER", username)
    yield username
    engine = create_engine(aimed_at_scratch.url(), poolclass=NullPool)
    quoted = engine.dialect.identifier_preparer.quote_identifier(username)
    with engine.begin() as connection:
        connection.execute(text(DROP_USER.format(user=quoted)))
    engine.dispose()


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


def test_it_creates_the_app_user_and_sets_its_password_again_on_each_run(
    aimed_at_scratch: DatabaseSettings, own_app_user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DB_APP_PASS", "first-Password-1")
    handler({}, None)
    assert takes_password(aimed_at_scratch, own_app_user, "first-Password-1")
    app_user = load_database_settings().as_app_user()
    assert app_user.username == own_app_user
    engine = create_engine(app_user.url(), poolclass=NullPool)
    with Session(engine) as session, session.begin():  # the revisions' tables are the app user's to fill
        session.add(Post(title="by the app user"))
        session.flush()
        assert session.scalars(select(Post.title)).all() == ["by the app user"]
    engine.dispose()

    monkeypatch.setenv("DB_APP_PASS", "rotated-Password-2")  # the secret rotated, then migrate
    handler({}, None)
    assert takes_password(aimed_at_scratch, own_app_user, "rotated-Password-2")
    assert not takes_password(aimed_at_scratch, own_app_user, "first-Password-1")


def test_an_owner_who_may_not_create_users_stops_in_one_line_without_the_password(
    aimed_at_scratch: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner, password = f"{aimed_at_scratch.app_username[:27]}_lim", "owner-Password-1"
    server = create_engine(aimed_at_scratch.url(SERVER_DATABASE), poolclass=NullPool)
    quote = server.dialect.identifier_preparer.quote_identifier
    names = {"user": quote(owner), "database": quote(aimed_at_scratch.database)}
    with server.begin() as connection:
        for statement in CREATE_OWNER:
            connection.execute(text(statement.format(**names)), {"password": password})
    limited = replace(aimed_at_scratch, username=owner, password=password)
    monkeypatch.setenv("TEST_DATABASE_URL", limited.url().render_as_string(hide_password=False))
    monkeypatch.setenv("DB_APP_PASS", "app-Password-Not-To-Show")
    try:
        with pytest.raises(MigrationError) as raised:
            handler({}, None)
    finally:
        admin.drop_database(aimed_at_scratch)  # the owner's, which goes first
        with server.begin() as connection:
            connection.execute(text(DROP_USER.format(**names)))
        server.dispose()
    message = str(raised.value)
    assert message.startswith(f"cannot set up the app user {aimed_at_scratch.app_username} on ")
    assert raised.value.__cause__ is None and raised.value.__suppress_context__  # no statement, no parameters
    assert "app-Password-Not-To-Show" not in message
