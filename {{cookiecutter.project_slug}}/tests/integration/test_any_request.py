"""Whatever a client sends, the API answers a valid HTTP API response below 500, in JSON.

Hypothesis throws random bodies (text with lone surrogates and NUL characters, binary, nested and
huge JSON), content types, methods and paths at the handler, against the real test database. The
one 5xx allowed is the generic 503 of a store out of reach, which a route that needs a service this
suite does not start answers.
``pytest --hypothesis-show-statistics`` shows how often each status was answered.
"""

import base64
import json
import re
from typing import Any

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from app.bodies import MAX_BODY_BYTES
from app.main import UNAVAILABLE, handler, route_table

from tasks.api import LocalContext
from tests.events import decoded, default_event, http_event


def either(*strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """One of ``strategies``, each as likely as the others however many branches it has itself."""
    return st.sampled_from(strategies).flatmap(lambda strategy: strategy)


def as_json(value: Any, ascii_only: bool) -> str:
    """``value`` as JSON: surrogates escaped (as a client may send them), or raw (as no UTF-8 can carry)."""
    return json.dumps(value, ensure_ascii=ascii_only)


def as_base64(data: bytes) -> str:
    """``data`` as API Gateway sends a binary body."""
    return base64.b64encode(data).decode()


def utf8(text: str) -> bytes:
    """``text`` in UTF-8, lone surrogates and all (which makes it invalid UTF-8)."""
    return text.encode(errors="surrogatepass")


TEXT = st.text(max_size=40)
ANY_TEXT = either(TEXT, st.text(st.characters(exclude_categories=()), max_size=40))  # surrogates, NUL
NOT_STORABLE = st.sampled_from(["\0", "\ud800", "\udfff"])  # NUL, lone surrogates
SPOILED = st.builds(lambda text, bad, more: text + bad + more, TEXT, NOT_STORABLE, ANY_TEXT)
EDGES = [255, 256, 65_535, 65_536, MAX_BODY_BYTES // 2, MAX_BODY_BYTES]  # of the columns and the body
SIZES = either(st.integers(0, 300), st.integers(0, 70_000), st.sampled_from(EDGES))
HUGE = st.builds(lambda piece, size: piece * size, st.sampled_from(["x", "é", "😀", "\0", "\ud800"]), SIZES)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(ANY_TEXT, children, max_size=4),
    max_leaves=12,
)
FIELD = either(st.text(min_size=1, max_size=40), SPOILED, ANY_TEXT, HUGE, JSON)
POST_FIELDS = either(
    st.fixed_dictionaries({"title": FIELD, "body": FIELD}),
    st.fixed_dictionaries({"title": st.text(min_size=1, max_size=40), "body": HUGE}),
    st.dictionaries(ANY_TEXT, FIELD, max_size=3),
)
POSTS = st.tuples(st.builds(as_json, POST_FIELDS, st.booleans()), st.just(False))  # (body, isBase64Encoded)
DEEP = st.integers(1, 200_000).map(lambda depth: "[" * depth + "]" * depth)
TEXT_BODIES = either(st.builds(as_json, JSON, st.booleans()), ANY_TEXT, DEEP)
ENCODED_POSTS = POSTS.map(lambda post: as_base64(utf8(post[0])))
BINARY_BODIES = either(ENCODED_POSTS, st.binary(max_size=200).map(as_base64), ANY_TEXT)
BODIES = either(POSTS, st.tuples(TEXT_BODIES, st.just(False)), st.tuples(BINARY_BODIES, st.just(True)))
METHODS = either(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]), ANY_TEXT)
KNOWN_PATHS = st.sampled_from(["/posts", "/posts/1", f"/posts/{2**31}", "/posts/", "/"])
PATHS = either(KNOWN_PATHS, ANY_TEXT.map("/{}".format))
ROUTES = [f"{method} {path}" for path in route_table() for method in ("GET", "POST", "PUT", "DELETE")]
IDS = either(ANY_TEXT, st.integers(0, 10).map(str))
CONTENT_TYPES = st.sampled_from([None, "application/json", "application/json; charset=utf-8", "text/plain"])


def route_event(route_key: str, parameter: str) -> dict[str, Any]:
    """An event of ``route_key`` whose path parameters are all ``parameter``."""
    names = re.findall(r"\{(\w+)\}", route_key)
    return http_event(route_key, **dict.fromkeys(names, parameter))


def with_content_type(event: dict[str, Any], content_type: str | None) -> dict[str, Any]:
    """``event`` with the Content-Type header ``content_type``, or none."""
    headers = {name: value for name, value in event["headers"].items() if name != "content-type"}
    return event | {"headers": headers | ({} if content_type is None else {"content-type": content_type})}


ROUTE_KEY_EVENTS = st.builds(route_event, st.sampled_from(ROUTES), IDS)


def with_body(event: dict[str, Any], body: tuple[str, bool] | None) -> dict[str, Any]:
    """``event`` carrying ``body`` (text, and whether it is base64-encoded), if any."""
    return event if body is None else event | {"body": body[0], "isBase64Encoded": body[1]}


REQUESTS = st.builds(
    with_content_type,
    either(
        st.builds(with_body, st.just(http_event("POST /posts", {})), either(POSTS, BODIES)),
        st.builds(with_body, ROUTE_KEY_EVENTS, st.none() | BODIES),
        st.builds(with_body, st.builds(default_event, METHODS, PATHS), st.none() | BODIES),
    ),
    either(st.just("application/json"), CONTENT_TYPES),
)


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,  # the same examples on every run, as CI needs
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(REQUESTS)
# What once reached a 500, always tried: a lone surrogate, a NUL, a body of 64 KiB (a TEXT's size).
@example(http_event("POST /posts", '{"title": "\\ud800"}'))
@example(http_event("POST /posts", {"title": "a\0b"}))
@example(http_event("POST /posts", {"title": "big", "body": "x" * 65_536}))
def test_every_request_gets_a_json_answer_below_500(request: dict[str, Any]) -> None:
    status, body = decoded(handler(request, LocalContext()))
    event(f"status {status}")

    assert 200 <= status < 500 or (status, body.get("error")) == (503, UNAVAILABLE), body
    assert isinstance(body, dict)
    if status >= 400:
        assert set(body) == {"error", "request_id"}
        assert isinstance(body["error"], str)
    if status == 201:  # what was accepted was stored as it was sent: the newest post
        listed = handler(http_event("GET /posts", query={"limit": "1"}), LocalContext())
        assert decoded(listed)[1]["items"] == [body]
