"""One deadline per invocation: the app answers its own JSON before Lambda's timeout, however slow the way.

Each test calls a baked project's handler with a Lambda context that has REMAINING_MS left,
with its database behind the bench's proxy delaying every message (each way) or black-holing
them, cold (a new engine: connection and SQLAlchemy's first-connect queries) and warm. The
projects are baked with DynamoDB, whose GET /posts/{post_id} counts a view there too; their
other routes are the SQL-only projects' code.
"""

import json
import socket
import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from bench.events import CONTEXT_FIELDS, http_event
from bench.project import Project, prepare
from bench.proxy import Proxy
from tests.baking import DATABASES

pytestmark = pytest.mark.slow  # scripts/test --quick leaves this module out

REMAINING_MS = 5_000  # what Lambda's context says is left: the app must answer sooner
UNAVAILABLE = {"error": "database unavailable, try again shortly", "request_id": "bench-request-id"}


@pytest.fixture(scope="module", params=DATABASES)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A project baked with DynamoDB, its test database migrated (the proxy fixture uses this one)."""
    return prepare(request.param, tmp_path_factory.mktemp("deadline"), "deadline", dynamodb="yes")


@pytest.fixture
def black_hole() -> Iterator[str]:
    """The URL of a port that takes connections (the kernel's backlog) and never answers them."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def invoke(project: Project, route: str, body: dict | None = None, **path: str) -> tuple[dict, float]:
    """The handler's response to ``route`` with REMAINING_MS left, and the seconds it took."""
    context = SimpleNamespace(**CONTEXT_FIELDS, get_remaining_time_in_millis=lambda: REMAINING_MS)
    started = time.monotonic()
    response = project.module("main").handler(http_event(route, body, **path), context)
    return response, time.monotonic() - started


def assert_unavailable_in_time(response: dict, elapsed: float) -> None:
    """The app's own 503, with Retry-After and the request id, before Lambda would have stopped it."""
    assert elapsed < REMAINING_MS / 1000
    assert (response["statusCode"], json.loads(response["body"])) == (503, UNAVAILABLE)
    assert response["headers"]["Retry-After"] == "1"


def a_post(project: Project) -> str:
    """The id of a stored post, stored through the handler."""
    response, _ = invoke(project, "POST /posts", {"title": "read me"})
    assert response["statusCode"] == 201
    return str(json.loads(response["body"])["id"])


@pytest.mark.parametrize("delay", [0.5, 4.5])
def test_a_cold_invocation_on_a_slow_network_answers_503_before_the_timeout(
    project: Project, proxy: Proxy, delay: float
) -> None:
    proxy.delay = delay  # each way: 1 s or 9 s a round trip, and a cold connection takes 8 to 12
    response, elapsed = invoke(project, "GET /posts")
    assert_unavailable_in_time(response, elapsed)


def test_a_warm_write_on_a_slow_network_answers_503_before_the_timeout(
    project: Project, proxy: Proxy
) -> None:
    assert invoke(project, "POST /posts", {"title": "warm up"})[0]["statusCode"] == 201
    proxy.delay = 2.5  # each round trip of the write (BEGIN, INSERT, COMMIT) within the read timeout
    response, elapsed = invoke(project, "POST /posts", {"title": "slow"})
    assert_unavailable_in_time(response, elapsed)
    proxy.delay = 0
    assert invoke(project, "POST /posts", {"title": "fast again"})[0]["statusCode"] == 201


def test_a_black_holed_connection_answers_503_before_the_timeout(project: Project, proxy: Proxy) -> None:
    assert invoke(project, "GET /posts")[0]["statusCode"] == 200
    proxy.hold()
    response, elapsed = invoke(project, "GET /posts")
    assert_unavailable_in_time(response, elapsed)


def test_a_cold_invocation_on_a_network_slow_within_the_deadline_is_answered(
    project: Project, proxy: Proxy
) -> None:
    proxy.delay = 0.1
    response, elapsed = invoke(project, "GET /posts")
    assert (response["statusCode"], elapsed < REMAINING_MS / 1000) == (200, True)


def test_dynamodb_after_a_slow_database_gets_the_time_left_only(
    project: Project, proxy: Proxy, black_hole: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    post_id = a_post(project)
    monkeypatch.setenv("DYNAMODB_ENDPOINT", black_hole)  # 2 attempts of 2 s each, on their own: 4 s and more
    project.module("dynamodb").app_table.cache_clear()
    proxy.delay = 0.5  # the warm read takes 1 s of the 4 s before the deadline
    response, elapsed = invoke(project, "GET /posts/{post_id}", post_id=post_id)
    assert_unavailable_in_time(response, elapsed)
