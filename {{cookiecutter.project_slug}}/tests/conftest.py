"""Run every test against the real test database (APP_ENV=test)."""

import os

os.environ["APP_ENV"] = "test"

from collections.abc import Callable, Iterator

import boto3
import pytest
from botocore.stub import Stubber
from sqlalchemy import delete

from {{ cookiecutter.package_name }} import aws, db
from {{ cookiecutter.package_name }}.db.admin import create_database
from {{ cookiecutter.package_name }}.db.migrations import upgrade
from {{ cookiecutter.package_name }}.db.settings import DatabaseSettings, load_database_settings
from {{ cookiecutter.package_name }}.models import Base

from tests.server import Server

REGION = "{{ cookiecutter.aws_region }}"


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
