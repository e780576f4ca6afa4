"""API Gateway HTTP API (payload 2.0) events, as the API function receives them, and its answers.

They start from the sample events in ``events/``, which ``sam local invoke -e`` and ``invoke
api.invoke`` send too; the tests set the method, path, path parameters and body.
"""

import json
from typing import Any

from tasks.api import EVENTS, LocalContext, event_file, request_event

REQUEST_ID = "test-request-id"  # API Gateway's id of the request; the error bodies carry it
SHAPE = json.loads((EVENTS / "get_posts.json").read_text())  # what a request with no body looks like


def http_event(route_key: str, body: Any = None, query: dict[str, str] | None = None, **path: str) -> dict:
    """An event of the route ``route_key`` ("GET /posts/{post_id}"), with its path parameters filled in."""
    event = default_event(*route_key.split(" ", 1), body)
    event["routeKey"] = event["requestContext"]["routeKey"] = route_key
    event["rawPath"] = event["requestContext"]["http"]["path"] = route_key.split(" ", 1)[1].format(**path)
    if path:
        event["pathParameters"] = path
    if query:
        event["queryStringParameters"] = query
        event["rawQueryString"] = "&".join(f"{name}={value}" for name, value in query.items())
    return event


def default_event(method: str, path: str, body: Any = None) -> dict[str, Any]:
    """An event of the ``$default`` route, which API Gateway routes by method and path only."""
    event = request_event(SHAPE, f"{method} {path}", path, body)
    event["routeKey"] = event["requestContext"]["routeKey"] = "$default"
    event["requestContext"]["requestId"] = REQUEST_ID
    if body is not None:
        event["headers"] = event["headers"] | {"content-type": "application/json"}
    return event


def sample_event(route_key: str) -> dict[str, Any]:
    """The sample event of ``route_key``, as it is in events/."""
    return json.loads(event_file(route_key).read_text())


def call(handler: Any, event: Any, context: Any = None) -> tuple[int, Any]:
    """Call ``handler`` like Lambda does; return the status code and the decoded JSON body."""
    return decoded(handler(event, context or LocalContext()))


def decoded(response: dict[str, Any]) -> tuple[int, Any]:
    """The status code and the decoded JSON body of ``response``."""
    json.dumps(response)  # Lambda sends the response on as JSON: it must serialize
    assert response["headers"]["Content-Type"] == "application/json"
    return response["statusCode"], json.loads(response["body"])


def invoke(handler: Any, route_key: str, body: Any = None, **path: str) -> tuple[int, Any]:
    """Call ``handler`` with an event of ``route_key``; return the status code and the decoded JSON body."""
    return call(handler, http_event(route_key, body, **path))


def error(message: str) -> dict[str, str]:
    """The body of an error response to an event made here."""
    return {"error": message, "request_id": REQUEST_ID}
