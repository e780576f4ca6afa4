"""Read API Gateway HTTP API events (payload format 2.0) into requests."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .bodies import json_object
from .responses import HttpError

Event = Mapping[str, Any]
MAX_ID = 2**31 - 1  # ids are 32-bit integers in both databases
ID = re.compile(r"[0-9]{1,10}")  # ASCII digits only, and no more than MAX_ID has
NOT_PAYLOAD_2 = (
    "this function takes API Gateway HTTP API events in payload format 2.0, not 1.0 "
    "(a REST API, or an HTTP API integration set to 1.0): use an HttpApi event with PayloadFormatVersion 2.0"
)
NOT_AN_EVENT = "not an API Gateway HTTP API event: it needs a routeKey, or requestContext.http with rawPath"


@dataclass(frozen=True)
class Request:
    """What a route needs of a request: its path parameters and its body."""

    path_parameters: Mapping[str, Any] = field(default_factory=dict)
    body: str = ""
    base64_encoded: bool = False

    @classmethod
    def from_event(cls, event: Event, path_parameters: Mapping[str, Any]) -> "Request":
        """The request ``event`` carries, with the path parameters its route matched."""
        body = event.get("body") or ""
        if not isinstance(body, str):
            raise HttpError(400, "the event's body must be a string, as API Gateway sends it")
        return cls(path_parameters, body, bool(event.get("isBase64Encoded")))

    def json(self) -> dict[str, Any]:
        """The body as a JSON object, or a 400 (413 when too large) saying what is wrong with it."""
        return json_object(self.body, self.base64_encoded)

    def path_id(self, name: str = "id") -> int:
        """An integer id from the path, or a 404."""
        value = self.path_parameters.get(name)
        if not (isinstance(value, str) and ID.fullmatch(value) and int(value) <= MAX_ID):
            raise HttpError(404, f"{name} {value!r} is not a valid id")
        return int(value)


def check_payload_format(event: Any) -> None:
    """A 400 for anything but an HTTP API event in payload format 2.0."""
    if not isinstance(event, Mapping):
        raise HttpError(400, NOT_AN_EVENT)
    if event.get("version") == "1.0" or "httpMethod" in event:
        raise HttpError(400, NOT_PAYLOAD_2)


def request_line(event: Event) -> tuple[str, str]:
    """The method and path the client asked for (the path without a named stage's prefix)."""
    http = nested(event, "requestContext", "http")
    method, path = http.get("method"), event.get("rawPath") or http.get("path")
    if isinstance(method, str) and isinstance(path, str):
        return method, without_stage(path, nested(event, "requestContext").get("stage"))
    route_key = event.get("routeKey")
    if isinstance(route_key, str) and " " in route_key:
        method, path = route_key.split(" ", 1)
        return method, path
    raise HttpError(400, NOT_AN_EVENT)


def without_stage(path: str, stage: Any) -> str:
    """``path`` without the ``/stage`` prefix API Gateway puts in front of it on named stages."""
    prefix = f"/{stage}"
    if isinstance(stage, str) and stage != "$default" and (path == prefix or path.startswith(prefix + "/")):
        return path[len(prefix) :] or "/"
    return path


def request_id_of(event: Any, context: Any) -> str:
    """Lambda's request id, which every log line of the invocation carries; else API Gateway's."""
    found = getattr(context, "aws_request_id", None) or nested(event, "requestContext").get("requestId")
    return found if isinstance(found, str) else "unknown"


def nested(event: Any, *keys: str) -> Mapping[str, Any]:
    """The mapping at ``event[keys[0]][keys[1]]...``, or an empty one when any step is missing."""
    found = event
    for key in keys:
        found = found.get(key) if isinstance(found, Mapping) else None
    return found if isinstance(found, Mapping) else {}
