"""Find the route of an event: by its routeKey, or by method and path (``$default`` events)."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .requests import (
    Request,
    check_payload_format,
    nested,
    request_line,
)
from .responses import HttpError, Response

Route = Callable[[Request], Response]
PARAMETER = re.compile(r"\{(\w+)(\+?)\}")  # {id}, or {proxy+} for the rest of the path


@dataclass(frozen=True)
class RoutePattern:
    """A route key ("GET /posts/{id}") as a method and a path pattern, and its route."""

    method: str
    template: str
    path: re.Pattern[str]
    route: Route

    @classmethod
    def parse(cls, route_key: str, route: Route) -> "RoutePattern":
        """The pattern of ``route_key``."""
        method, template = route_key.split(" ", 1)
        return cls(method, template, path_regex(template), route)

    def match(self, path: str) -> dict[str, str] | None:
        """The path parameters, decoded, when ``path`` matches; else None."""
        found = self.path.fullmatch(path)
        return None if found is None else {name: unquote(value) for name, value in found.groupdict().items()}


def path_regex(template: str) -> re.Pattern[str]:
    """``template`` as a regex: ``{name}`` matches one path segment, ``{name+}`` the rest of the path."""
    parts, position = [], 0
    for parameter in PARAMETER.finditer(template):
        pattern = ".+" if parameter[2] else "[^/]+"
        parts += [re.escape(template[position : parameter.start()]), f"(?P<{parameter[1]}>{pattern})"]
        position = parameter.end()
    return re.compile("".join([*parts, re.escape(template[position:])]))


class RouteTable:
    """Routes by route key, as template.yaml declares them to API Gateway."""

    def __init__(self, routes: Mapping[str, Route]) -> None:
        self.routes = dict(routes)
        patterns = [RoutePattern.parse(route_key, route) for route_key, route in routes.items()]
        self.patterns = sorted(patterns, key=lambda pattern: "{" in pattern.template)  # literal paths first

    def resolve(self, event: Any) -> tuple[Route, Request]:
        """The route serving ``event`` and its request; a 400, 404 or 405 when there is none."""
        check_payload_format(event)
        route_key = event.get("routeKey")
        if isinstance(route_key, str) and route_key in self.routes:
            return self.routes[route_key], Request.from_event(event, nested(event, "pathParameters"))
        route, path_parameters = self.match(*request_line(event))
        return route, Request.from_event(event, path_parameters)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route for ``method`` on ``path`` and its path parameters; a 404 or 405 when there is none."""
        allowed = []
        for pattern in self.patterns:
            path_parameters = pattern.match(path)
            if path_parameters is None:
                continue
            if pattern.method in (method, "ANY"):
                return pattern.route, path_parameters
            allowed.append(pattern.method)
        if allowed:
            message = f"{method!r} is not allowed on {path!r}: use {', '.join(allowed)}"
            raise HttpError(405, message, {"allow": ", ".join(allowed)})
        request = f"{method} {path}"
        templates = ", ".join(dict.fromkeys(pattern.template for pattern in self.patterns))
        raise HttpError(404, f"no route for {request!r}: the paths are {templates}")
