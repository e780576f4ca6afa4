"""Errors reach clients as generic JSON with a request id; their details reach the log only."""

import json
import logging
import socket
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from app import db
from app.db import secrets
from app.db.settings import DatabaseSettings
from app.errors import DatabaseUnavailableError
from app.handlers.posts import handler
from app.http import Request, Response, router

from tests.events import REQUEST_ID, call, decoded, error, http_event, invoke
from tests.test_secrets import SECRET, answer, production_from

PASSWORD = "s3cret-Http-Ten-password"
UNAVAILABLE = error("database unavailable, try again shortly")


@pytest.fixture
def closed_port() -> int:
    """A port on which nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def forget_secrets() -> Iterator[None]:
    secrets.forget()
    yield
    secrets.forget()


def get_posts() -> Response:
    return handler(http_event("GET /posts"), None)


def assert_no_password_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert caplog.records
    for record in caplog.records:
        assert PASSWORD not in caplog.handler.format(record)  # the message, and any traceback


def messages_raised_from(error: BaseException | None) -> list[str]:
    """The messages of ``error`` and of every error it was raised from or while handling."""
    messages = []
    while error is not None:
        messages.append(str(error))
        error = error.__cause__ or error.__context__
    return messages


def test_the_database_down_is_a_generic_503_whose_details_are_logged(
    settings: DatabaseSettings,
    closed_port: int,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("DB_PORT", str(closed_port))
    response = get_posts()

    assert decoded(response) == (503, UNAVAILABLE)
    assert response["headers"]["retry-after"] == "1"
    [record] = caplog.records
    assert (record.levelname, record.request_id) == ("ERROR", REQUEST_ID)
    assert record.getMessage().startswith(
        "database unavailable, try again shortly: cannot connect to the database at "
        f"{settings.host}:{closed_port}/{settings.database}: "
    )


def test_a_refused_login_leaks_no_password_and_no_internals(
    settings: DatabaseSettings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DB_USER", "no_such_user")
    monkeypatch.setenv("DB_PASS", PASSWORD)
    response = get_posts()

    assert decoded(response) == (503, UNAVAILABLE)
    for internal in (PASSWORD, "no_such_user", settings.host, str(settings.port), settings.database):
        assert internal not in str(response)
    assert "no_such_user" in caplog.text  # the server's reason is logged
    assert_no_password_logged(caplog)
    with pytest.raises(DatabaseUnavailableError) as raised, db.session_scope():
        pass
    assert [message for message in messages_raised_from(raised.value) if PASSWORD in message] == []


def test_the_secret_leaks_neither_its_arn_nor_its_password(
    settings: DatabaseSettings,
    closed_port: int,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    stub_aws,
) -> None:
    stubs = stub_aws("secretsmanager")
    answer(stubs, json.dumps({"username": "admin", "password": PASSWORD}))
    stubs["secretsmanager"].add_client_error("get_secret_value", "AccessDeniedException", "not allowed")
    production_from(settings, monkeypatch, closed_port)

    for _ in range(2):  # the secret read but the database down; then, in a new environment, unreadable
        db.reset()
        response = get_posts()
        assert decoded(response) == (503, UNAVAILABLE)
        for internal in (PASSWORD, SECRET, settings.host, str(closed_port), settings.database):
            assert internal not in str(response)
    assert f"cannot read the database password from {SECRET}" in caplog.text
    assert_no_password_logged(caplog)


def test_a_bug_is_a_generic_500_logged_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    def broken(request: Request) -> Response:
        raise RuntimeError("details for the log only")

    assert call(router({"GET /broken": broken}), http_event("GET /broken")) == (500, error("internal error"))
    [record] = caplog.records
    assert (record.levelname, record.request_id, record.exc_info[0]) == ("ERROR", REQUEST_ID, RuntimeError)
    assert "details for the log only" in caplog.text


def test_client_errors_are_logged_at_info(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    invoke(handler, "GET /posts/{id}", id="x")
    [record] = caplog.records
    assert (record.levelname, record.getMessage(), record.request_id) == (
        "INFO",
        "404: id 'x' is not a valid id",
        REQUEST_ID,
    )


def test_the_lambda_request_id_is_preferred() -> None:
    context = SimpleNamespace(aws_request_id="lambda-request-id")
    assert call(handler, http_event("GET /posts/{id}", id="x"), context) == (
        404,
        {"error": "id 'x' is not a valid id", "request_id": "lambda-request-id"},
    )


def test_client_errors_are_answered_without_the_database(closed_port: int, monkeypatch) -> None:
    monkeypatch.setenv("DB_PORT", str(closed_port))
    assert invoke(handler, "POST /posts", {"title": ""})[0] == 422
    assert invoke(handler, "GET /posts/{id}", id="x")[0] == 404
    assert invoke(handler, "POST /posts", {"title": "ok"}) == (503, UNAVAILABLE)
