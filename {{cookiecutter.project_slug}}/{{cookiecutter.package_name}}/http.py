"""JSON over API Gateway HTTP APIs (payload format 2.0): routing, parsing and errors."""

import base64
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from {{ cookiecutter.package_name }}.errors import DatabaseUnavailableError

Event = Mapping[str, Any]
Response = dict[str, Any]
Route = Callable[[Event], Response]
MAX_ID = 2**31 - 1

logger = logging.getLogger(__name__)


class HttpError(Exception):
    """An error the client caused, answered with ``status`` and a one-line message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def json_response(status: int, body: Any) -> Response:
    """An API Gateway response whose body is ``body`` as JSON."""
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
    }


def json_body(event: Event) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 saying what is wrong with it."""
    text = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            text = base64.b64decode(text, validate=True).decode()
        except ValueError:  # bad base64 or bad UTF-8
            raise HttpError(400, "request body is not valid base64-encoded UTF-8") from None
    try:
        body = json.loads(text)
    except ValueError as error:
        raise HttpError(400, f"request body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise HttpError(400, "request body must be a JSON object")
    return body


def path_id(event: Event, name: str = "id") -> int:
    """An integer id from the path, or a 404 (ids are 32-bit integers in both databases)."""
    value = (event.get("pathParameters") or {}).get(name, "")
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_ID:
        raise HttpError(404, f"{name} {value!r} is not a valid id")
    return int(value)


def router(routes: Mapping[str, Route]) -> Callable[[Event, Any], Response]:
    """A Lambda handler that dispatches on the event's routeKey ("GET /posts/{id}")."""

    def handler(event: Event, context: Any) -> Response:
        route = routes.get(event.get("routeKey", ""))
        if route is None:
            return json_response(404, {"error": f"no route for {event.get('routeKey')!r}"})
        try:
            return route(event)
        except HttpError as error:
            return json_response(error.status, {"error": error.message})
        except DatabaseUnavailableError as error:
            logger.error("database unavailable: %s", error)
            return json_response(503, {"error": f"database unavailable, try again shortly ({error})"})

    return handler
