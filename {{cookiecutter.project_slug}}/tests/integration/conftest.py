"""Run these tests against the real test database, migrated to head and emptied before each test.

The suite empties every table before each test, so it first checks that the database is
recorded as the test one (see tasks/protection.py), and stops in one line when it is not, or
cannot be reached.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from sqlalchemy import create_engine, delete
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from app import db
from app.db.settings import DatabaseSettings
from app.models import Base

from tasks import admin, migrations, protection
from tasks.errors import EXPECTED
from tests.proxy import Proxy
from tests.server import Server

EMPTY_TABLES = "empty the tables of"


@pytest.fixture(scope="session", autouse=True)
def test_database(settings: DatabaseSettings) -> None:
    """Create the test database when missing and migrate it to head, as Rails keeps its test schema."""
    with stop_in_one_line():
        admin.create(settings)
        admin.check(settings, EMPTY_TABLES)
        migrations.migrate(settings)


@pytest.fixture(autouse=True)
def empty_tables(fresh_environment: None) -> None:
    """Each test starts with empty tables."""
    with db.session_scope() as session, stop_in_one_line():
        protection.check(session.connection(), "test", EMPTY_TABLES, removes=True)
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
    db.reset()


@contextmanager
def stop_in_one_line() -> Iterator[None]:
    """End the whole run with one line when the database is not the test one, or is out of reach."""
    try:
        yield
    except EXPECTED as error:
        pytest.exit(f"error: {error}", returncode=1)


@pytest.fixture
def scratch(settings: DatabaseSettings) -> Iterator[DatabaseSettings]:
    """A database of its own beside the test database (<test database>_scratch); dropped after.

    One of that name left by an earlier run is dropped only if the protection check lets the
    suite empty it; the one the test makes is its own.
    """
    scratch = replace(settings, database=f"{settings.database}_scratch")
    admin.check(scratch, EMPTY_TABLES)
    admin.drop_database(scratch)
    yield scratch
    admin.drop_database(scratch)


@pytest.fixture
def observer(settings: DatabaseSettings) -> Iterator[Engine]:
    """A plain engine of its own, which sees only what the app has committed (tests/observer.py)."""
    engine = create_engine(settings.url(), poolclass=NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def proxy(settings: DatabaseSettings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Proxy]:
    """A proxy the app reaches the test server through (``DB_PORT``), down until the test starts it."""
    proxy = Proxy(settings.host, settings.port)
    monkeypatch.setenv("DB_PORT", str(proxy.port))
    yield proxy
    proxy.stop()


@pytest.fixture(scope="session")
def server(settings: DatabaseSettings) -> Server:
    return Server(settings)
