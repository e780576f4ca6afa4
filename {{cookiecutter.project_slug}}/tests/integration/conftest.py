"""Run these tests against the real test database, migrated to head and emptied before each test.

The suite empties every table before each test, so it first checks that the database is
recorded as the test one (see db/protection.py) and stops, in one line, when it is not.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, delete
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from app import db
from app.db import protection
from app.db.admin import create_database, refuse_destruction
from app.db.migrations import upgrade
from app.db.settings import DatabaseSettings
from app.models import Base

from tests.server import Server

EMPTY_TABLES = "empty the tables of"


@pytest.fixture(scope="session", autouse=True)
def test_database(settings: DatabaseSettings) -> None:
    """Create the test database when missing and migrate it to head, as Rails keeps its test schema."""
    create_database(settings)
    with stop_unless_test_database():
        refuse_destruction(settings, EMPTY_TABLES)
    upgrade(settings)


@pytest.fixture(autouse=True)
def empty_tables(fresh_environment: None) -> None:
    """Each test starts with empty tables."""
    with db.session_scope() as session, stop_unless_test_database():
        protection.refuse_destruction(session.connection(), "test", EMPTY_TABLES)
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
    db.reset()


@contextmanager
def stop_unless_test_database() -> Iterator[None]:
    """End the whole run with one line when the database is not the test one."""
    try:
        yield
    except protection.ProtectedDatabaseError as error:
        pytest.exit(f"error: {error}", returncode=1)


@pytest.fixture
def observer(settings: DatabaseSettings) -> Iterator[Engine]:
    """A plain engine of its own, which sees only what the app has committed (tests/observer.py)."""
    engine = create_engine(settings.url(), poolclass=NullPool)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def server(settings: DatabaseSettings) -> Server:
    return Server(settings)
