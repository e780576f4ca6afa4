"""API Gateway HTTP API (payload 2.0) events, as the posts handler receives them."""

import json
from typing import Any

REQUEST_ID = "test-request-id"  # API Gateway's id of the request; the error bodies carry it


def http_event(route_key: str, body: Any = None, **path_parameters: str) -> dict[str, Any]:
    """An event of the route ``route_key`` ("POST /posts"); dict bodies are sent as JSON."""
    method, template = route_key.split(" ", 1)
    event = default_event(method, template.format(**path_parameters), body) | {"routeKey": route_key}
    if path_parameters:
        event["pathParameters"] = path_parameters
    return event


def default_event(method: str, path: str, body: Any = None) -> dict[str, Any]:
    """An event of the ``$default`` route, as ``sam local generate-event apigateway http-api-proxy``."""
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "requestContext": {
            "http": {"method": method, "path": path},
            "requestId": REQUEST_ID,
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }
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
