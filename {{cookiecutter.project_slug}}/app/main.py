"""The API function: Powertools' resolver serving every router of ``app/routes``, and its answers to errors.

What a client gets wrong is a 4xx whose one-line message names the problem. The database out of
reach is a 503 with ``Retry-After`` and a bug a 500, both generic: their details go to the log
only. Every error is ``{"error": "...", "request_id": "..."}``, the request id being API
Gateway's, which every log line of the invocation carries as ``correlation_id``.
"""

import binascii
import functools
import re
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.typing import LambdaContext

from . import deadline, routes, snapstart
from .bodies import read_json, to_json, undecodable, unsupported_media_type
from .errors import DatabaseUnavailableError
from .idempotency import RETRY_IS_SAFE, idempotent_writes, retry_is_safe

RETRY_AFTER_SECONDS = 1
UNAVAILABLE = "database unavailable, try again shortly"
INTERNAL_ERROR = "internal error"
NOT_PAYLOAD_2 = (
    "this function takes API Gateway HTTP API events in payload format 2.0, not a REST API's or "
    "payload format 1.0: use an HttpApi event with PayloadFormatVersion 2.0"
)
NOT_A_JSON_OBJECT = {"model_type", "model_attributes_type", "dict_type"}
UNMATCHED = NotFoundError().msg  # what Powertools raises when no route matches a request

logger = Logger(service="api")
# debug=False whatever POWERTOOLS_DEV says: no event on stdout, no traceback to a client.
app = APIGatewayHttpResolver(
    enable_validation=True, debug=False, serializer=to_json, json_body_deserializer=read_json
)
for router in routes.routers():
    app.include_router(router)
app.use([idempotent_writes])  # a POST with an Idempotency-Key runs once (app/idempotency.py)
snapstart.register(app)  # with SnapStart on, Lambda prepares the routes and database before its snapshot


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Answer an HTTP API event; refuse other events, and a Content-Type other than JSON, before routing.

    Every wait of the routes ends before the invocation's deadline (see ``deadline``): a database
    too slow to answer in the time Lambda gives is a 503 from the app, not Lambda's timeout.
    """
    if not (isinstance(event, dict) and event.get("version") == "2.0"):
        return refusal(400, NOT_PAYLOAD_2, context.aws_request_id)
    request = APIGatewayProxyEventV2(event)
    not_json = unsupported_media_type(request.headers.get("content-type"))
    if not_json:
        return refusal(415, not_json, request.request_context.request_id)
    with deadline.invocation(context.get_remaining_time_in_millis()):
        return app.resolve(event, context)


def refusal(status: int, message: str, request_id: str) -> dict[str, Any]:
    """An error response to an event the resolver is not given."""
    logger.info(f"{status}: {message}")
    body = {"error": message, "request_id": request_id}
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": to_json(body)}


def answer(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """``{"error": message, "request_id": ...}``: the request id finds the invocation's log lines."""
    body = {"error": message, "request_id": app.current_event.request_context.request_id}
    return Response(status, "application/json", body, headers)


@app.exception_handler(ServiceError)
def client_error(error: ServiceError) -> Response:
    """A client's mistake, found by Powertools or raised by a route (``NotFoundError("...")``)."""
    request = app.current_event
    unmatched = isinstance(error, NotFoundError) and error.msg == UNMATCHED
    if unmatched and request.http_method not in allowed_methods(request.path):
        return no_route(request.http_method, request.path)
    logger.info(f"{error.status_code}: {error.msg}")
    return answer(error.status_code, str(error.msg))


def no_route(method: str, path: str) -> Response:
    """A 405 naming the methods ``path`` allows, or a 404 naming the paths there are."""
    allowed = allowed_methods(path)
    if allowed:
        message = f"{method!r} is not allowed on {path!r}: use {', '.join(allowed)}"
        logger.info(f"405: {message}")
        return answer(405, message, {"Allow": ", ".join(allowed)})
    message = f"no route for {f'{method} {path}'!r}: the paths are {', '.join(route_table())}"
    logger.info(f"404: {message}")
    return answer(404, message)


@app.exception_handler(RequestValidationError)
def invalid_request(error: RequestValidationError) -> Response:
    """A 422 naming each field that does not match its type (the route's answer not matching is a bug)."""
    errors = error.errors()
    if any(found["loc"][0] == "response" for found in errors):
        return internal_error(error)
    message = "; ".join(describe(found) for found in errors)
    logger.info(f"422: {message}")
    return answer(422, message)


def describe(error: dict[str, Any]) -> str:
    """One of pydantic's validation errors as a client reads it: ``title: String should have...``."""
    place, *field = error["loc"]
    if place == "body" and not field:
        if error["type"] == "missing":
            return "request body is empty or null: send a JSON object"
        if error["type"] in NOT_A_JSON_OBJECT:
            return "request body must be a JSON object"
    return f"{'.'.join(str(part) for part in field) or place}: {error['msg']}"


@app.exception_handler([UnicodeDecodeError, binascii.Error])
def undecodable_body(error: ValueError) -> Response:
    """A 400 when Powertools could not decode a base64 body; the same error from elsewhere is a bug."""
    message = undecodable(app.current_event.raw_event)
    if message is None:
        return internal_error(error)
    logger.info(f"400: {message}")
    return answer(400, message)


@app.exception_handler(DatabaseUnavailableError)
def database_unavailable(error: DatabaseUnavailableError) -> Response:
    """A generic 503, saying if a keyed retry is safe; where the database is and why go to the log."""
    logger.error(f"{UNAVAILABLE}: {error}")
    message = f"{UNAVAILABLE}: {RETRY_IS_SAFE}" if retry_is_safe(app) else UNAVAILABLE
    return answer(503, message, {"Retry-After": str(RETRY_AFTER_SECONDS)})


@app.exception_handler(Exception)
def internal_error(error: Exception) -> Response:
    """A generic 500; the traceback goes to the log."""
    logger.error("unexpected error answered 500", exc_info=error)
    return answer(500, INTERNAL_ERROR)


@functools.cache
def route_table() -> dict[str, list[str]]:
    """The methods of each path the resolver serves, from its OpenAPI: ``{"/posts/{post_id}": ["GET"]}``."""
    paths = sorted((app.get_openapi_schema().paths or {}).items())
    methods = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
    return {path: [method.upper() for method in methods if getattr(item, method)] for path, item in paths}


def allowed_methods(path: str) -> list[str]:
    """The methods the routes whose path template matches ``path`` serve."""
    return [
        method
        for template, methods in route_table().items()
        if re.fullmatch(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)), path)
        for method in methods
    ]
