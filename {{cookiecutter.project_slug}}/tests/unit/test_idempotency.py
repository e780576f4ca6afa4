"""The Idempotency-Key header, checked before the database is asked (which is out of reach here)."""

from typing import Any

import pytest

from app.idempotency import HEADER, INVALID_KEY, RETRY_IS_SAFE
from app.main import UNAVAILABLE, handler

from tests.events import call, error, http_event


def keyed(route_key: str, key: str, body: Any = None) -> dict[str, Any]:
    event = http_event(route_key, body)
    event["headers"] = event["headers"] | {HEADER.lower(): key}
    return event


@pytest.mark.parametrize(
    "key",
    ["", " ", "a" * 256, "clé", "tab\there", "line\nbreak", "with space"],
    ids=["empty", "blank", "256 characters", "not ASCII", "a tab", "a line break", "a space"],
)
def test_a_malformed_key_is_a_422_that_says_what_a_key_is(key: str) -> None:
    assert call(handler, keyed("POST /posts", key, {"title": "t"})) == (422, error(INVALID_KEY))


def test_a_well_formed_key_reaches_the_database_and_its_503_says_a_retry_is_safe() -> None:
    for key in ("a" * 255, "01J9Z3M2Q4K8T6V0X2Y5B7C9D1", "~!#$%&'*+-.^_`|"):
        event = keyed("POST /posts", key, {"title": "t"})
        assert call(handler, event) == (503, error(f"{UNAVAILABLE}: {RETRY_IS_SAFE}"))


def test_without_a_key_a_503_does_not_say_a_retry_is_safe() -> None:
    assert call(handler, http_event("POST /posts", {"title": "t"})) == (503, error(UNAVAILABLE))


def test_a_key_on_a_read_is_ignored() -> None:
    assert call(handler, keyed("GET /posts", "not a key\n")) == (503, error(UNAVAILABLE))


def test_a_request_the_route_refuses_is_refused_before_its_key_is_looked_at() -> None:
    status, body = call(handler, keyed("POST /posts", "", {"title": ""}))
    assert status == 422
    assert body["error"].startswith("title:")
