"""API Gateway HTTP API (payload 2.0) events, as the posts handler receives them."""

import json
from typing import Any


def http_event(route_key: str, body: Any = None, **path_parameters: str) -> dict[str, Any]:
    """An event for ``route_key`` ("POST /posts"); dict bodies are sent as JSON."""
    method, path = route_key.split(" ", 1)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path.format(**path_parameters),
        "requestContext": {"http": {"method": method, "path": path.format(**path_parameters)}},
        "isBase64Encoded": False,
    }
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    return event


def invoke(handler: Any, route_key: str, body: Any = None, **path_parameters: str) -> tuple[int, Any]:
    """Call ``handler`` like Lambda does; return the status code and the decoded JSON body."""
    response = handler(http_event(route_key, body, **path_parameters), None)
    return response["statusCode"], json.loads(response["body"])
