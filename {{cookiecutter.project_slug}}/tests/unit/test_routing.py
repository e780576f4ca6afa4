"""Events reach their route by method and path, as from API Gateway's $default route; others are refused."""

import re
import uuid

import pytest

from app.main import NOT_PAYLOAD_2, handler, route_table

from tasks.api import LocalContext
from tests.events import call, decoded, default_event, error

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def concrete(template: str) -> str:
    """A path ``template`` matches: each parameter ``1``."""
    return re.sub(r"\{\w+\}", "1", template)


def unmatched_path() -> str:
    """A path no route serves."""
    return f"/{uuid.uuid4().hex}"


@pytest.mark.parametrize(("template", "methods"), list(route_table().items()))
def test_a_method_a_path_does_not_serve_is_a_405_naming_those_it_does(template: str, methods: list) -> None:
    method = next(method for method in METHODS if method not in methods)
    path = concrete(template)
    response = handler(default_event(method, path), LocalContext())
    expected = f"{method!r} is not allowed on {path!r}: use {', '.join(methods)}"
    assert decoded(response) == (405, error(expected))
    assert response["headers"]["Allow"] == ", ".join(methods)


def test_a_path_no_route_serves_is_a_404_naming_the_paths() -> None:
    path = unmatched_path()
    assert call(handler, default_event("GET", path)) == (
        404,
        error(f"no route for 'GET {path}': the paths are {', '.join(route_table())}"),
    )


def test_an_event_is_routed_by_method_and_path_whatever_its_route_key() -> None:
    """A bad id reaches the show route, which refuses it: the event was routed."""
    assert call(handler, default_event("GET", "/posts/x"))[0] == 422
    assert call(handler, default_event("GET", "/posts/x") | {"routeKey": "GET /posts/{post_id}"})[0] == 422


def test_the_stage_of_a_named_stage_is_not_part_of_the_path() -> None:
    event = default_event("GET", "/prod/posts/x")
    event["requestContext"]["stage"] = "prod"
    assert call(handler, event)[0] == 422


@pytest.mark.parametrize(
    "event",
    [
        {"version": "1.0", "routeKey": "GET /posts", "httpMethod": "GET", "path": "/posts"},
        {"resource": "/posts", "httpMethod": "GET", "requestContext": {"requestId": "rest-api"}},
        {},
        [],
        "GET /posts",
        None,
    ],
    ids=["http-api-payload-1.0", "rest-api", "empty", "list", "text", "none"],
)
def test_what_is_no_http_api_payload_2_event_is_a_400_naming_it(event: object) -> None:
    context = LocalContext(aws_request_id="lambda-request-id")
    assert call(handler, event, context) == (400, {"error": NOT_PAYLOAD_2, "request_id": "lambda-request-id"})
