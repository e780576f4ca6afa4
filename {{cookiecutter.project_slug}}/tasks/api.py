"""The API on this machine: its handler on an event file, its sample events, its OpenAPI document and docs.

No Docker, no SAM CLI: ``invoke api.invoke events/get_posts.json`` runs the handler template.yaml
names for ApiFunction in this process, as Lambda would.
"""

import functools
import importlib
import json
import os
import re
import sys
import time
import tomllib
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import yaml
from invoke import Context, task
from invoke.exceptions import Exit

from app.db.settings import load_database_settings

from tasks.errors import one_line_errors

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATE = PROJECT / "template.yaml"
EVENTS = PROJECT / "events"
FUNCTION = "ApiFunction"
# How the app answers every error (app/main.py), in place of Powertools' default validation error.
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {"error": {"type": "string"}, "request_id": {"type": "string"}},
    "required": ["error", "request_id"],
}


class CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (``!Ref``, ``!Sub``...), whose values are not needed here."""


CloudFormationLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


@functools.cache
def function_timeout() -> int:
    """The seconds Lambda gives each invocation: template.yaml's Globals.Function.Timeout."""
    template = yaml.load(TEMPLATE.read_text(), CloudFormationLoader)  # noqa: S506 (a SafeLoader)
    return int(template["Globals"]["Function"]["Timeout"])


@dataclass(frozen=True)
class LocalContext:
    """What the handler reads of Lambda's context object, for an invocation on this machine."""

    function_name: str = FUNCTION
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION}"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    timeout_at: float = field(default_factory=lambda: time.monotonic() + function_timeout())

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds until Lambda would stop this invocation (the function's timeout after it began)."""
        return max(0, int((self.timeout_at - time.monotonic()) * 1000))


def handler_of(function: str) -> Any:
    """The handler that template.yaml names for ``function``, imported."""
    template = yaml.load(TEMPLATE.read_text(), CloudFormationLoader)  # noqa: S506 (a SafeLoader)
    properties = template["Resources"][function]["Properties"]
    module, name = properties["Handler"].rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def read_event(path: str) -> Any:
    """The JSON event in the file ``path``, or a one-line error."""
    try:
        return json.loads(Path(path).read_text())
    except OSError as error:
        raise Exit(f"error: cannot read the event file {path}: {error.strerror}", code=1) from None
    except json.JSONDecodeError as error:
        raise Exit(f"error: the event file {path} is not JSON: {error}", code=1) from None


def event_file(route_key: str) -> Path:
    """The sample event of a route: "GET /posts/{post_id}" is in events/get_posts_post_id.json."""
    return EVENTS / (re.sub(r"[^a-z0-9]+", "_", route_key.lower()).strip("_") + ".json")


def request_event(event: dict[str, Any], route_key: str, path: str, body: Any = None) -> dict[str, Any]:
    """``event`` made a request of ``route_key``'s method on ``path`` (a dict ``body`` is sent as JSON)."""
    method = route_key.split(" ", 1)[0]
    event = json.loads(json.dumps(event))
    for name in ("pathParameters", "body", "queryStringParameters"):
        event.pop(name, None)
    event |= {"routeKey": route_key, "rawPath": path, "rawQueryString": "", "isBase64Encoded": False}
    event["requestContext"] |= {"routeKey": route_key}
    event["requestContext"]["http"] |= {"method": method, "path": path}
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    return event


def sample_event(route_key: str) -> dict[str, Any]:
    """An event of ``route_key`` in the shape of events/, as API Gateway sends it; each path parameter 1.

    A read takes the shape of a read's sample event, a write a write's: the authorizer's part of
    the event follows (under api_auth=jwt the reads are public, and carry none).
    """
    method, template = route_key.split(" ", 1)
    parameters = {name: "1" for name in re.findall(r"\{(\w+)\}", template)}
    samples = [json.loads(path.read_text()) for path in sorted(EVENTS.glob("*.json"))]
    alike = [
        sample for sample in samples if is_read(sample["requestContext"]["http"]["method"]) == is_read(method)
    ]
    shape = (alike or samples)[0]
    body = {} if method in ("POST", "PUT", "PATCH") else None
    event = request_event(shape, route_key, template.format(**parameters), body)
    if parameters:
        event["pathParameters"] = parameters
    return event


def is_read(method: str) -> bool:
    """True for the methods that read (GET, HEAD, OPTIONS)."""
    return method in ("GET", "HEAD", "OPTIONS")


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the app's routes, as Powertools makes it from the code, with the app's errors.

    Each POST also lists the optional Idempotency-Key and what it answers (``document_idempotency``).
    """
    from app.main import app

    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    schema = app.get_openapi_json_schema(
        title=project["name"], version=project["version"], description=project["description"]
    )
    document = json.loads(schema)
    schemas = document["components"]["schemas"]
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)
    schemas["Error"] = ERROR_SCHEMA
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for operations in document["paths"].values():
        for method, operation in operations.items():
            operation["responses"]["422"] = {"description": "The request does not match the API", **error}
            operation["responses"]["default"] = {"description": "An error", **error}
            if method == "post":
                document_idempotency(operation, error)
    return document


def document_idempotency(operation: dict[str, Any], error: dict[str, Any]) -> None:
    """Add to a POST what app/idempotency.py adds: the optional key, its 409 and 422, a replay's header.

    Here rather than on each route, so every POST has it, as every POST gets the middleware. It is
    not a ``Header`` parameter of the routes: Powertools would validate it before the middleware does.
    """
    from app.idempotency import HEADER, KEY_FORMAT, REPLAYED_HEADER

    # The lengths KEY_FORMAT allows, for the tools that read no pattern (a test checks they agree).
    key = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": f"^{KEY_FORMAT.pattern}$"}
    operation.setdefault("parameters", []).append(
        {
            "name": HEADER,
            "in": "header",
            "required": False,
            "description": "A new UUID with each write, the same with its retries: they write at most once",
            "schema": key,
        }
    )
    replayed = {
        "description": f"true: the first response to this {HEADER}, sent again (nothing was written)",
        "schema": {"type": "string", "enum": ["true"]},
    }
    responses = operation["responses"]
    for status, response in responses.items():
        if status.startswith("2"):
            response.setdefault("headers", {})[REPLAYED_HEADER] = replayed
    responses["409"] = {"description": f"The first request with this {HEADER} is still running", **error}
    responses["422"]["description"] += f", or the {HEADER} is invalid or was sent with another request"


@task(
    name="invoke",
    help={
        "event": "an event file, e.g. events/get_posts.json",
        "env": "environment of config/database.yml (default: APP_ENV, else development)",
    },
)
@one_line_errors
def invoke_handler(c: Context, event: str, env: str | None = None) -> None:
    """Run ApiFunction's handler on an event file and print its response, as sam local invoke does."""
    if env:
        os.environ["APP_ENV"] = env
    load_database_settings()  # a setting the app cannot start with: one line and exit status 1
    handler = handler_of(FUNCTION)
    for log in importlib.import_module(handler.__module__).logger.handlers:
        log.setStream(sys.stderr)  # the log on stderr, the response on stdout, as sam local invoke does
    response = handler(read_event(event), LocalContext())
    print(json.dumps(response, indent=2, ensure_ascii=False))


@task(help={"route": 'the route key, e.g. "GET /posts/{post_id}/comments"'})
def event(c: Context, route: str) -> None:
    """Write the sample event of a route to events/, for sam local invoke -e and invoke api.invoke."""
    path = event_file(route)
    path.write_text(json.dumps(sample_event(route), indent=2) + "\n")
    print(f"Wrote {path.relative_to(PROJECT)}")


@task(help={"output": "the file to write (default: openapi.json)"})
def openapi(c: Context, output: str = "openapi.json") -> None:
    """Write the API's OpenAPI document, made from the routes and schemas in app/."""
    Path(output).write_text(json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {output}")


@task(help={"port": "the local port (default: 8008)"})
def docs(c: Context, port: int = 8008) -> None:
    """Serve Swagger UI for the API's OpenAPI document on http://127.0.0.1:PORT/ until Ctrl-C.

    Only here: the deployed function serves no documentation.
    """
    page = swagger_page().encode()

    class Docs(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

    with HTTPServer(("127.0.0.1", port), Docs) as server:
        print(f"Swagger UI on http://127.0.0.1:{port}/ (Ctrl-C to stop)", flush=True)
        server.serve_forever()


def swagger_page() -> str:
    """Swagger UI's page for the OpenAPI document, with its scripts inline (no download)."""
    import aws_lambda_powertools.event_handler as event_handler
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    assets = Path(event_handler.__file__).parent / "openapi" / "swagger_ui"
    script = (assets / "swagger-ui-bundle.min.js").read_text()
    style = (assets / "swagger-ui.min.css").read_text()
    document = json.dumps(openapi_document()).replace("</", "<\\/")
    return generate_swagger_html(document, script, style, None, None, False)
