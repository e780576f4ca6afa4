"""The sample events AWS's tools generate reach the generated API's routes, or a clear 400."""

import json
import os
import subprocess

import pytest

from bench.events import CONTEXT
from bench.project import Project
from tests.baking import BIN

pytestmark = pytest.mark.slow  # scripts/test --quick leaves this module out (tests/test_local_api.py stays)


def generated_event(kind: str, method: str, path: str, *options: str) -> dict:
    """``sam local generate-event apigateway <kind>``, as a user would try the function."""
    command = [BIN / "sam", "local", "generate-event", "apigateway", kind, "--method", method, "--path", path]
    result = subprocess.run(
        [*command, *options],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"SAM_CLI_TELEMETRY": "0"},
    )
    return json.loads(result.stdout)


def answer(project: Project, event: dict) -> tuple[int, dict]:
    with project.using():
        response = project.module("main").handler(event, CONTEXT)
    return response["statusCode"], json.loads(response["body"])


def test_http_api_events_are_routed_by_method_and_path(project: Project) -> None:
    project.empty()
    create = generated_event("http-api-proxy", "POST", "posts", "--body", '{"title": "sam"}')
    status, created = answer(project, create)
    assert (status, created["title"]) == (201, "sam")

    # Without --stage: on a named stage API Gateway puts the stage in rawPath (the generated suite's
    # test_routing.py sends such events), and sam's generator leaves it out.
    show = generated_event("http-api-proxy", "GET", f"posts/{created['id']}")
    assert answer(project, show) == (200, created)


def test_a_rest_api_event_is_a_400_naming_payload_format_2(project: Project) -> None:
    status, body = answer(project, generated_event("aws-proxy", "GET", "posts"))
    assert (status, body["error"]) == (400, project.module("main").NOT_PAYLOAD_2)
