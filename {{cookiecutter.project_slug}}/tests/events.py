"""API Gateway HTTP API (payload 2.0) events, as the posts handler receives them.

They start from the sample events in ``events/``, one per route, which ``sam local invoke -e`` and
``invoke api.invoke`` send too; the tests set the method, path, path parameters and body.
"""

import json
import re
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parent.parent / "events"
REQUEST_ID = "test-request-id"  # API Gateway's id of the request; the error bodies carry it


def event_file(route_key: str) -> Path:
    """The sample event of a route: "GET /posts/{id}" is in events/get_posts_id.json."""
    return EVENTS / (re.sub(r"[^a-z0-9]+", "_", route_key.lower()).strip("_") + ".json")


def sample_event(route_key: str) -> dict[str, Any]:
    """The sample event of ``route_key``, as it is in events/."""
    return json.loads(event_file(route_key).read_text())


def http_event(route_key: str, body: Any = None, **path_parameters: str) -> dict[str, Any]:
    """An event of the route ``route_key`` ("POST /posts"); dict bodies are sent as JSON.

    Routes with no sample event (a route key this function does not serve) start from GET /posts's.
    """
    method, template = route_key.split(" ", 1)
    base = sample_event(route_key if event_file(route_key).is_file() else "GET /posts")
    event = for_request(base, route_key, method, template.format(**path_parameters), body)
    if path_parameters:
        event["pathParameters"] = path_parameters
    return event


def default_event(method: str, path: str, body: Any = None) -> dict[str, Any]:
    """An event of the ``$default`` route, routed by method and path (``sam local generate-event``'s)."""
    return for_request(sample_event("GET /posts"), "$default", method, path, body)


def for_request(event: dict[str, Any], route_key: str, method: str, path: str, body: Any) -> dict[str, Any]:
    """``event`` made a request of ``method`` on ``path`` for ``route_key``, with ``body`` if not None."""
    event.pop("pathParameters", None)
    event.pop("body", None)
    event |= {"routeKey": route_key, "rawPath": path, "isBase64Encoded": False}
    event["requestContext"] |= {"routeKey": route_key, "requestId": REQUEST_ID}
    event["requestContext"]["http"] |= {"method": method, "path": path}
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    return event


def call(handler: Any, event: Any, context: Any = None) -> tuple[int, Any]:
    """Call ``handler`` like Lambda does; return the status code and the decoded JSON body."""
    return decoded(handler(event, context))


def decoded(response: dict[str, Any]) -> tuple[int, Any]:
    """The status code and the decoded JSON body of ``response``."""
    json.dumps(response)  # Lambda sends the response on as JSON: it must serialize
    return response["statusCode"], json.loads(response["body"])


def invoke(handler: Any, route_key: str, body: Any = None, **path_parameters: str) -> tuple[int, Any]:
    """Call ``handler`` with an event of ``route_key``; return the status code and the decoded JSON body."""
    return call(handler, http_event(route_key, body, **path_parameters))


def error(message: str) -> dict[str, str]:
    """The body of an error response to an event made here."""
    return {"error": message, "request_id": REQUEST_ID}
