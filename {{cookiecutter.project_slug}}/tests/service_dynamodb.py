"""A local DynamoDB for the integration tests: moto's, served in this process, with the app's table.

GET /posts/{post_id} counts views in DynamoDB: each test of tests/integration finds the suite's
table there, empty of nothing but what earlier tests counted. tests/conftest.py loads this plugin.
"""

from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

from app import aws
from app.dynamodb import app_table
from app.dynamodb.settings import ENDPOINT_VARIABLE, TABLE_VARIABLE

SUITE_TABLE = "post_views_of_the_suite"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's DynamoDB, served over HTTP in this process, as ``moto_server`` serves it in development."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def start_afresh() -> None:
    """Settle the table and its client again, as a new execution environment does."""
    app_table.cache_clear()
    aws.client.cache_clear()


@pytest.fixture(autouse=True)
def local_dynamodb(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point each test of tests/integration (marked db) at the suite's table on moto, the others nowhere."""
    if request.node.get_closest_marker("db") is None:
        monkeypatch.setenv(ENDPOINT_VARIABLE, f"http://127.0.0.1:{request.getfixturevalue('closed_port')}")
        return
    monkeypatch.setenv(ENDPOINT_VARIABLE, request.getfixturevalue("moto_endpoint"))
    monkeypatch.setenv(TABLE_VARIABLE, SUITE_TABLE)
    start_afresh()
    app_table().create()  # False once an earlier test has
