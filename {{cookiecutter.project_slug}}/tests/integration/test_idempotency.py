"""Writes retried with an Idempotency-Key: done once, answered the same, on the real database."""

import threading
import time
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Engine

from app.bodies import to_json
from app.caller import caller
from app.idempotency import (
    EXPIRED_PER_WRITE,
    HEADER,
    IN_FLIGHT_WAIT_SECONDS,
    IN_PROGRESS,
    OTHER_REQUEST,
    REPLAYED_HEADER,
    RETRY_IS_SAFE,
    key_digest,
    request_digest,
)
from app.main import UNAVAILABLE, handler
from app.models import IdempotencyKey
from app.models.base import utcnow

from tasks.api import LocalContext
from tests.events import error, http_event
from tests.observer import stored_titles
from tests.proxy import Proxy
from tests.sql import COMMIT_ON_THE_WIRE

KEY = "4f6c1a52-9d0e-4d7b-8a61-0f3c2b9e7d15"


def keyed_post(title: str, key: str = KEY, **authorizer: Any) -> dict[str, Any]:
    """A POST /posts event carrying ``key``; ``authorizer`` replaces the caller API Gateway vouched for."""
    event = http_event("POST /posts", {"title": title})
    event["headers"] = event["headers"] | {HEADER.lower(): key}  # API Gateway lowercases header names
    if authorizer:
        event["requestContext"]["authorizer"] = authorizer
    return event


def answered(event: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
    """The status, headers and body the API function answers ``event`` with."""
    response = handler(event, LocalContext())
    return response["statusCode"], response["headers"], response["body"]


def stored_keys(observer: Engine) -> int:
    with observer.connect() as connection:
        return connection.scalar(select(func.count()).select_from(IdempotencyKey))


def test_a_retry_gets_the_first_response_and_writes_nothing(observer: Engine) -> None:
    status, headers, body = answered(keyed_post("once"))
    assert status == 201
    assert REPLAYED_HEADER not in headers

    assert answered(keyed_post("once")) == (201, headers | {REPLAYED_HEADER: "true"}, body)
    assert stored_titles(observer) == ["once"]
    assert stored_keys(observer) == 1


def test_the_same_key_with_another_body_is_a_422(observer: Engine) -> None:
    assert answered(keyed_post("first"))[0] == 201
    status, _, body = answered(keyed_post("second"))
    assert (status, body) == (422, error_body(OTHER_REQUEST))
    assert stored_titles(observer) == ["first"]


def test_posts_without_a_key_are_each_written() -> None:
    event = http_event("POST /posts", {"title": "twice"})
    first, second = answered(event), answered(event)
    assert first[0] == second[0] == 201
    assert first[2] != second[2]  # two posts


def test_a_key_is_its_callers_own(observer: Engine) -> None:
    alice = {"jwt": {"claims": {"sub": "alice"}, "scopes": None}}
    bob = {"jwt": {"claims": {"sub": "bob"}, "scopes": None}}
    assert answered(keyed_post("same", **alice))[0] == 201
    status, headers, _ = answered(keyed_post("same", **bob))
    assert (status, REPLAYED_HEADER in headers) == (201, False)
    assert stored_titles(observer) == ["same", "same"]


def test_a_retry_while_the_first_runs_is_a_409_within_the_wait(observer: Engine) -> None:
    event = keyed_post("in flight")
    with observer.connect() as first:
        hold_key(first, event)  # the first request's row, not yet committed
        started = time.monotonic()
        status, _, body = answered(event)
        waited = time.monotonic() - started
        first.rollback()  # the first request failed after all
    assert (status, body) == (409, error_body(IN_PROGRESS))
    assert IN_FLIGHT_WAIT_SECONDS <= waited < IN_FLIGHT_WAIT_SECONDS + 1
    assert answered(event)[0] == 201  # the key is free again
    assert stored_titles(observer) == ["in flight"]


def test_a_retry_while_the_first_finishes_gets_its_response(observer: Engine) -> None:
    event = keyed_post("finishing")
    with observer.connect() as first:
        hold_key(first, event, status_code=201, response_headers="{}", response_body='{"id":1}')
        commit = threading.Timer(IN_FLIGHT_WAIT_SECONDS / 4, first.commit)
        commit.start()
        status, headers, body = answered(event)  # waits for the first request's transaction
        commit.join()  # the commit's own reply read before the connection closes
    assert (status, headers, body) == (201, {REPLAYED_HEADER: "true"}, '{"id":1}')
    assert stored_titles(observer) == []


def test_a_lost_commit_reply_is_a_503_that_a_retry_with_the_key_completes(
    proxy: Proxy, observer: Engine
) -> None:
    proxy.start()
    proxy.lose_reply_to(COMMIT_ON_THE_WIRE)  # the server commits; the function never hears it
    status, _, body = answered(keyed_post("committed unheard"))
    assert (status, body) == (503, error_body(f"{UNAVAILABLE}: {RETRY_IS_SAFE}"))
    assert stored_titles(observer) == ["committed unheard"]

    status, headers, body = answered(keyed_post("committed unheard"))
    assert (status, headers[REPLAYED_HEADER]) == (201, "true")
    assert '"title":"committed unheard"' in body
    assert stored_titles(observer) == ["committed unheard"]


def test_a_lost_commit_reply_without_a_key_does_not_say_a_retry_is_safe(proxy: Proxy) -> None:
    proxy.start()
    proxy.lose_reply_to(COMMIT_ON_THE_WIRE)
    status, _, body = answered(http_event("POST /posts", {"title": "unkeyed"}))
    assert (status, body) == (503, error_body(UNAVAILABLE))


def test_keyed_writes_remove_expired_keys_only(observer: Engine) -> None:
    now = utcnow()
    with observer.begin() as connection:
        for number in range(EXPIRED_PER_WRITE + 2):
            add_key(connection, f"expired {number}", now - timedelta(seconds=1 + number))
        add_key(connection, "live", now + timedelta(hours=1))
    assert answered(keyed_post("cleaning"))[0] == 201
    assert stored_keys(observer) == 2 + 2  # the 2 newest expired, the live one and the new one
    assert answered(keyed_post("cleaning again", key="another"))[0] == 201
    assert stored_keys(observer) == 3  # live, and the two new ones


def test_an_expired_key_is_a_new_one(observer: Engine) -> None:
    event = keyed_post("first use")
    with observer.begin() as connection:
        hold_key(connection, event, status_code=201, response_headers="{}", response_body="{}")
        connection.execute(IdempotencyKey.__table__.update().values(expires_at=utcnow()))
    status, headers, _ = answered(event)
    assert (status, REPLAYED_HEADER in headers) == (201, False)
    assert stored_titles(observer) == ["first use"]
    assert stored_keys(observer) == 1


def hold_key(connection: Connection, event: dict[str, Any], **response: Any) -> None:
    """Insert the row the first request of ``event`` inserts, in ``connection``'s transaction."""
    request = APIGatewayProxyEventV2(event)
    row = {"key_digest": key_digest(KEY, caller(request)), "request_digest": request_digest(request)}
    add_row(connection, row | response)


def add_key(connection: Connection, key: str, expires_at: Any) -> None:
    """Add another request's finished key, expiring at ``expires_at``."""
    row = {"key_digest": key_digest(key, None), "request_digest": "", "status_code": 201}
    add_row(connection, row | {"response_headers": "{}", "response_body": "{}", "expires_at": expires_at})


def add_row(connection: Connection, row: dict[str, Any]) -> None:
    values = {"created_at": utcnow(), "expires_at": utcnow() + timedelta(hours=1)} | row
    connection.execute(insert(IdempotencyKey).values(values))


def error_body(message: str) -> str:
    """The body of an error response, as the API function writes it."""
    return to_json(error(message))
