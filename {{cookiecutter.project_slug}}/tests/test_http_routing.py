"""Events reach their route by route key, or by method and path on the $default route."""

import base64
import json

import pytest

from app.handlers.posts import handler
from app.http import Request, Response, json_response, router
from app.http.requests import NOT_AN_EVENT, NOT_PAYLOAD_2

from tests.events import REQUEST_ID, call, default_event, error, invoke

ROUTE_PATHS = "the paths are /posts, /posts/{id}"


def test_default_route_events_are_routed_by_method_and_path() -> None:
    status, created = call(handler, default_event("POST", "/posts", {"title": "by path"}))
    assert (status, created["title"]) == (201, "by path")
    assert call(handler, default_event("GET", f"/posts/{created['id']}")) == (200, created)
    assert call(handler, default_event("GET", "/posts")) == (200, {"posts": [created]})


def test_an_event_as_sam_generates_it_is_routed() -> None:
    """The shape of ``sam local generate-event apigateway http-api-proxy --method POST --path posts``."""
    event = default_event("POST", "/posts") | {
        "rawQueryString": "parameter1=value1",
        "headers": {"Header1": "value1"},
        "pathParameters": {"parameter1": "value1"},
        "body": base64.b64encode(b'{"title": "from sam"}').decode(),
        "isBase64Encoded": True,
    }
    status, created = call(handler, event)
    assert (status, created["title"]) == (201, "from sam")


def test_the_stage_of_a_named_stage_is_not_part_of_the_path() -> None:
    event = default_event("GET", "/prod/posts")
    event["requestContext"]["stage"] = "prod"
    assert call(handler, event) == (200, {"posts": []})


def test_path_parameters_are_decoded() -> None:
    expected = (404, error("id '1x' is not a valid id"))
    assert call(handler, default_event("GET", "/posts/1%78")) == expected


@pytest.mark.parametrize("path", ["/nope", "/", "/posts/", "/posts/1/comments", "posts"])
def test_an_unknown_path_is_a_404(path: str) -> None:
    expected = (404, error(f"no route for {'GET ' + path!r}: {ROUTE_PATHS}"))
    assert call(handler, default_event("GET", path)) == expected


def echo(request: Request) -> Response:
    """A route that answers with its path parameters."""
    return json_response(200, dict(request.path_parameters))


def test_literal_paths_win_over_parameters_and_greedy_parameters_take_the_rest() -> None:
    routes = router(
        {
            "GET /files/{id}": echo,
            "GET /files/new": lambda request: json_response(200, "new"),
            "ANY /docs/{path+}": echo,
        }
    )
    assert call(routes, default_event("GET", "/files/new")) == (200, "new")
    assert call(routes, default_event("GET", "/files/7")) == (200, {"id": "7"})
    assert call(routes, default_event("DELETE", "/docs/a/b%20c")) == (200, {"path": "a/b c"})


def test_an_unknown_method_on_a_known_path_is_a_405() -> None:
    expected = (405, error("'DELETE' is not allowed on '/posts': use GET, POST"))
    assert call(handler, default_event("DELETE", "/posts")) == expected
    assert handler(default_event("DELETE", "/posts"), None)["headers"]["allow"] == "GET, POST"
    expected = (405, error("'PUT' is not allowed on '/posts/1': use GET"))
    assert call(handler, default_event("PUT", "/posts/1")) == expected


def test_a_route_key_this_function_does_not_serve_is_matched_by_its_path() -> None:
    expected = (405, error("'DELETE' is not allowed on '/posts': use GET, POST"))
    assert invoke(handler, "DELETE /posts") == expected


def test_a_route_key_event_without_request_context_is_routed() -> None:
    """The least an event needs: a route key, as the bench and the built-function tests send."""
    event = {"routeKey": "POST /posts", "body": json.dumps({"title": "minimal"})}
    status, created = call(handler, event)
    assert (status, created["title"]) == (201, "minimal")


@pytest.mark.parametrize(
    "event",
    [
        {"version": "1.0", "routeKey": "GET /posts", "httpMethod": "GET", "path": "/posts"},
        {"resource": "/posts", "httpMethod": "GET", "requestContext": {"requestId": REQUEST_ID}},
    ],
    ids=["http-api-payload-1.0", "rest-api"],
)
def test_a_payload_format_1_event_is_a_400(event: dict) -> None:
    status, body = call(handler, event)
    assert (status, body["error"]) == (400, NOT_PAYLOAD_2)


@pytest.mark.parametrize("event", [{}, [], "GET /posts", None, {"routeKey": "$default"}])
def test_what_is_no_http_event_is_a_400(event: object) -> None:
    assert call(handler, event) == (400, {"error": NOT_AN_EVENT, "request_id": "unknown"})
