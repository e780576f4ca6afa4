"""Run every test in the test environment (APP_ENV=test).

``tests/unit`` needs no server: routing, validation, errors, OpenAPI, settings. Its tests run with
the database settings pointing at a port where nothing listens, so ``pytest -m "not db"`` runs
them with the database server stopped. ``tests/integration`` runs against the real test database
(see its conftest.py); its tests are marked ``db``.
"""

import os

os.environ["APP_ENV"] = "test"

import io
import json
import logging
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from app import aws, db
from app.db.settings import DatabaseSettings, load_database_settings
from app.main import logger

from tasks.stack import stack_for

REGION = stack_for("production").region  # the region samconfig.toml deploys to
INTEGRATION = Path(__file__).parent / "integration"
# Local stand-ins for the services besides the database that the project's options add.
pytest_plugins = sorted(f"tests.{path.stem}" for path in Path(__file__).parent.glob("service_*.py"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests of tests/integration ``db``: they need the database server."""
    for item in items:
        if item.path.is_relative_to(INTEGRATION):
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="session")
def closed_port() -> int:
    """A port on which nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def no_database_for_unit_tests(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the unit tests' database settings at a closed port: a test that needs the server fails."""
    if request.node.get_closest_marker("db") is None:
        monkeypatch.setenv("DB_PORT", str(request.getfixturevalue("closed_port")))


@pytest.fixture(scope="session")
def settings() -> DatabaseSettings:
    return load_database_settings("test")


@pytest.fixture(autouse=True)
def fresh_environment() -> Iterator[None]:
    """Each test starts like a new execution environment: settings, engine and secrets read anew."""
    db.reset()
    yield
    db.reset()


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict]]]:
    """The API function's log lines during the test, as Lambda stores them: ``log_lines()``."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


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

    monkeypatch.setattr(aws, "client", lambda service, *args, **options: stubbers[service].client)
    yield stub
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()
        stubber.deactivate()
