"""The Lambda handler of an HTTP API: route each event, and answer every error in JSON.

What a client gets wrong is answered 4xx with a one-line message. The database being out of
reach is answered 503 with ``Retry-After``, and a bug 500: both generic, the details going to the
log only. Every error body carries ``request_id``, the id of the invocation's log lines.
"""

import logging
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import DatabaseUnavailableError
from .requests import Event, request_id_of
from .responses import HttpError, Response, error_response
from .routing import Route, RouteTable

RETRY_AFTER_SECONDS = 1
UNAVAILABLE = "database unavailable, try again shortly"
INTERNAL_ERROR = "internal error"

logger = logging.getLogger(__name__)


def router(routes: Mapping[str, Route]) -> Callable[[Event, Any], Response]:
    """A Lambda handler serving ``routes`` ({"GET /posts/{id}": show_post, ...})."""
    table = RouteTable(routes)

    def handler(event: Event, context: Any) -> Response:
        request_id = request_id_of(event, context)
        extra = {"request_id": request_id}  # a field of its own in Lambda's JSON log lines
        try:
            route, request = table.resolve(event)
            return route(request)
        except HttpError as error:
            logger.info("%d: %s", error.status, error.message, extra=extra)
            return error_response(error.status, error.message, request_id, error.headers)
        except DatabaseUnavailableError as error:
            logger.error("%s: %s", UNAVAILABLE, error, extra=extra)
            return error_response(503, UNAVAILABLE, request_id, {"retry-after": str(RETRY_AFTER_SECONDS)})
        except Exception:
            logger.exception("unexpected error answered 500", extra=extra)
            return error_response(500, INTERNAL_ERROR, request_id)

    return handler
