"""Run every test against the real test database (APP_ENV=test)."""

import os

os.environ["APP_ENV"] = "test"

from collections.abc import Iterator

import pytest
from sqlalchemy import delete

from {{ cookiecutter.package_name }} import db
from {{ cookiecutter.package_name }}.db.admin import create_database
from {{ cookiecutter.package_name }}.db.migrations import upgrade
from {{ cookiecutter.package_name }}.db.settings import DatabaseSettings, load_database_settings
from {{ cookiecutter.package_name }}.models import Base

from tests.server import Server


@pytest.fixture(scope="session")
def settings() -> DatabaseSettings:
    return load_database_settings("test")


@pytest.fixture(scope="session", autouse=True)
def test_database(settings: DatabaseSettings) -> None:
    """Create the test database when missing and migrate it to head, as Rails keeps its test schema."""
    create_database(settings)
    upgrade(settings)


@pytest.fixture(autouse=True)
def fresh_environment() -> Iterator[None]:
    """Each test starts like a new execution environment, with empty tables."""
    db.reset()
    with db.session_scope() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
    db.reset()
    yield
    db.reset()


@pytest.fixture(scope="session")
def server(settings: DatabaseSettings) -> Server:
    return Server(settings)
