"""Errors reach clients as generic JSON with the request id; their details reach the log, never a secret."""

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from app.db import connection, credentials
from app.db.settings import DatabaseSettings
from app.environment import PROJECT_ROOT
from app.main import handler
from app.routes import posts

from tasks.api import LocalContext
from tests.events import REQUEST_ID, call, decoded, error, http_event, invoke
from tests.unit.test_secrets import SECRET, answer, production_from

PASSWORD = "s3cret-Http-Ten-password"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.a-bearer-token.c2lnbmF0dXJl"
UNAVAILABLE = error("database unavailable, try again shortly")


@pytest.fixture(autouse=True)
def forget_secrets() -> Iterator[None]:
    credentials.forget()
    yield
    credentials.forget()


def test_the_database_down_is_a_generic_503_whose_details_are_logged(
    settings: DatabaseSettings, closed_port: int, monkeypatch: pytest.MonkeyPatch, log_lines
) -> None:
    monkeypatch.setenv("DB_PORT", str(closed_port))
    response = handler(http_event("GET /posts"), LocalContext())

    assert decoded(response) == (503, UNAVAILABLE)
    assert response["headers"]["Retry-After"] == "1"
    [line] = log_lines()
    assert (line["level"], line["correlation_id"]) == ("ERROR", REQUEST_ID)
    assert line["message"].startswith(
        "database unavailable, try again shortly: cannot connect to the database at "
        f"{settings.host}:{closed_port}/{settings.database}: "
    )


def test_the_secret_leaks_neither_its_arn_nor_its_password(
    settings: DatabaseSettings, closed_port: int, monkeypatch: pytest.MonkeyPatch, stub_aws, log_lines
) -> None:
    stubs = stub_aws("secretsmanager")
    answer(stubs, json.dumps({"username": "admin", "password": PASSWORD}))
    stubs["secretsmanager"].add_client_error("get_secret_value", "AccessDeniedException", "not allowed")
    production_from(settings, monkeypatch, closed_port)

    for _ in range(2):  # the secret read but the database down; then, in a new environment, unreadable
        connection.reset()
        response = handler(http_event("GET /posts"), LocalContext())
        assert decoded(response) == (503, UNAVAILABLE)
        for internal in (PASSWORD, SECRET, settings.host, str(closed_port), settings.database):
            assert internal not in str(response)
    lines = json.dumps(log_lines())
    assert f"cannot read the database password from {SECRET}" in lines
    assert PASSWORD not in lines


def test_a_bug_is_a_generic_500_logged_with_its_traceback(monkeypatch: pytest.MonkeyPatch, log_lines) -> None:
    def broken() -> None:
        raise RuntimeError("details for the log only")

    monkeypatch.setattr(connection, "current", broken)
    assert call(handler, http_event("GET /posts")) == (500, error("internal error"))
    [line] = log_lines()
    assert (line["level"], line["message"], line["correlation_id"]) == (
        "ERROR",
        "unexpected error answered 500",
        REQUEST_ID,
    )
    assert "RuntimeError: details for the log only" in line["exception"]


@pytest.mark.parametrize(
    "answer",
    [{"items": "not a list"}, UnicodeDecodeError("utf-8", b"\xff", 0, 1, "a bug's, not the body's")],
    ids=["an-answer-its-type-refuses", "a-decoding-error"],
)
def test_what_a_route_gets_wrong_is_a_generic_500(answer: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """Errors that look like a client's (validation, decoding) are a bug's when the route raised them."""

    def route_answer(*args: object) -> object:
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(posts, "session_scope", lambda readonly=False: contextlib.nullcontext())
    monkeypatch.setattr(posts, "page_of", route_answer)
    assert call(handler, http_event("GET /posts")) == (500, error("internal error"))


def test_client_errors_are_logged_at_info_with_the_invocation(log_lines) -> None:
    status, body = invoke(handler, "GET /posts/{post_id}", post_id="x")
    [line] = log_lines()
    assert (line["level"], line["message"]) == ("INFO", f"{status}: {body['error']}")
    assert (line["correlation_id"], line["function_name"]) == (REQUEST_ID, LocalContext().function_name)
    assert isinstance(line["cold_start"], bool)


def test_client_errors_are_answered_without_the_database(closed_port: int, monkeypatch) -> None:
    monkeypatch.setenv("DB_PORT", str(closed_port))
    assert invoke(handler, "POST /posts", {"title": ""})[0] == 422
    assert invoke(handler, "GET /posts/{post_id}", post_id="x")[0] == 422
    assert invoke(handler, "POST /posts", {"title": "ok"}) == (503, UNAVAILABLE)


RUN_EVENTS = """
import json, sys
from app.main import handler
from app.routes import posts
from tasks.api import LocalContext
for event in json.loads(sys.argv[1]):
    print(handler(event, LocalContext())["statusCode"], file=sys.stderr)
"""


def test_no_password_or_token_is_logged_even_with_powertools_debugging_on(closed_port: int) -> None:
    """Every log line of a process whose database login fails, asked for tokens and passwords."""
    with_token = http_event("GET /posts")
    with_token["headers"] |= {"authorization": f"Bearer {TOKEN}", "cookie": f"session={TOKEN}"}
    with_secrets = http_event("POST /posts", {"title": "x" * 300, "password": PASSWORD, "token": TOKEN})
    events = [with_token, with_secrets]
    debugging = {
        "POWERTOOLS_DEV": "true",  # pretty logs, and debug mode where not switched off
        "POWERTOOLS_DEBUG": "true",  # Powertools' own debug log
        "POWERTOOLS_LOGGER_LOG_EVENT": "true",  # log the event
        "POWERTOOLS_EVENT_HANDLER_DEBUG": "true",
        "POWERTOOLS_LOG_LEVEL": "DEBUG",
    }
    environment = os.environ | debugging | {"DB_PORT": str(closed_port), "DB_APP_PASS": PASSWORD}
    result = subprocess.run(
        [sys.executable, "-c", RUN_EVENTS, json.dumps(events)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    assert "database unavailable, try again shortly: cannot connect" in output  # the log is there
    assert result.stderr.split()[-2:] == ["503", "422"]
    assert PASSWORD not in output
    assert TOKEN not in output
