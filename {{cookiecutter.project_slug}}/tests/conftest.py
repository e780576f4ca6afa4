"""Run every test against the real test database (APP_ENV=test).

The suite empties every table before each test, so it first checks that the database is
recorded as the test one (see tasks/protection.py), and stops in one line when it is not, or
cannot be reached.
"""

import os

os.environ["APP_ENV"] = "test"

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

import boto3
import pytest
from botocore.stub import Stubber
from sqlalchemy import create_engine, delete
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from app import aws, db
from app.db.settings import DatabaseSettings, load_database_settings
from app.models import Base

from tasks import admin, migrations, protection
from tasks.errors import EXPECTED
from tasks.stack import stack_for
from tests.server import Server

REGION = stack_for("production").region  # the region samconfig.toml deploys to
EMPTY_TABLES = "empty the tables of"


@pytest.fixture(scope="session")
def settings() -> DatabaseSettings:
    return load_database_settings("test")


@pytest.fixture(scope="session", autouse=True)
def test_database(settings: DatabaseSettings) -> None:
    """Create the test database when missing and migrate it to head, as Rails keeps its test schema."""
    with stop_in_one_line():
        admin.create(settings)
        admin.check(settings, EMPTY_TABLES)
        migrations.migrate(settings)


@pytest.fixture(autouse=True)
def fresh_environment() -> Iterator[None]:
    """Each test starts like a new execution environment, with empty tables."""
    db.reset()
    with db.session_scope() as session, stop_in_one_line():
        protection.check(session.connection(), "test", EMPTY_TABLES, removes=True)
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
    db.reset()
    yield
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


@pytest.fixture(scope="session")
def server(settings: DatabaseSettings) -> Server:
    return Server(settings)


@pytest.fixture
def stub_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., dict[str, Stubber]]]:
    """Answer the app's AWS calls from botocore Stubbers: ``stubs = stub_aws("lambda")``.

    Every client the app asks for (``aws.client``) is the stubbed one of its service; a call
    the test did not expect fails, and so does an expected one that was not made.
    """
    stubbers: dict[str, Stubber] = {}

    def stub(*services: str) -> dict[str, Stubber]:
        for service in services:
            client = boto3.client(
                service, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test"
            )
            stubbers[service] = Stubber(client)
            stubbers[service].activate()
        return stubbers

    monkeypatch.setattr(aws, "client", lambda service, *args: stubbers[service].client)
    yield stub
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()
        stubber.deactivate()
