"""API Gateway responses with JSON bodies, and the error a client is answered with."""

import json
from collections.abc import Mapping
from typing import Any

Response = dict[str, Any]


class HttpError(Exception):
    """An error the client caused, answered with ``status``, a one-line message and ``headers``."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    """An API Gateway response whose body is ``body`` as JSON."""
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", **(headers or {})},
        "body": json.dumps(body),
    }


def error_response(
    status: int, message: str, request_id: str, headers: Mapping[str, str] | None = None
) -> Response:
    """``{"error": message, "request_id": ...}``: the request id finds the invocation's log lines."""
    return json_response(status, {"error": message, "request_id": request_id}, headers)
