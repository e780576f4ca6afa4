"""A route added in code only is served at once; the generated suite says in one line what AWS still needs."""

import os
import re

import pytest

from tests.baking import BIN, Baked, bake, combination_name

pytestmark = pytest.mark.slow  # about 25 s: a bake, the generated route test twice, cfn-lint

COMMENTS = '''"""Comments on a post: a route added in code only."""

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from ..schemas import PostId

router = APIGatewayHttpRouter()


@router.get("/posts/<post_id>/comments")
def list_comments(post_id: PostId) -> dict:
    """No comments yet."""
    return {"post_id": post_id, "comments": []}
'''
SERVE = """
from app.main import handler
from tasks.api import LocalContext
from tests.events import default_event
response = handler(default_event("GET", "/posts/7/comments"), LocalContext())
print(response["statusCode"], response["body"])
"""
ROUTE = "GET /posts/{post_id}/comments"
TEMPLATE_LINE = (
    "GetPostsPostIdComments: {Type: HttpApi, Properties: {Path: '/posts/{post_id}/comments', Method: GET}}"
)
WHAT_IS_MISSING = (
    f"AssertionError: add under ApiFunction's Events in template.yaml: {TEMPLATE_LINE}; "
    f"add events/get_posts_post_id_comments.json (invoke api.event '{ROUTE}')"
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Baked:
    return bake(tmp_path_factory.mktemp("routes"), project_name=combination_name("routes"))


def route_registry_test(project: Baked) -> tuple[int, str]:
    """The generated test that compares template.yaml and events/ with the app's routes."""
    command = [BIN / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit/test_routes.py"]
    result = project.run(*command, timeout=120)
    return result.returncode, result.stdout


def test_a_router_file_is_served_and_the_suite_names_what_template_yaml_lacks(project: Baked) -> None:
    (project.path / "app" / "routes" / "comments.py").write_text(COMMENTS)

    served = project.run(BIN / "python", "-c", SERVE, timeout=60)
    assert served.stdout.splitlines()[-1] == '200 {"post_id":7,"comments":[]}', served.stderr[-2000:]

    status, output = route_registry_test(project)
    assert status == 1
    assert f"E       {WHAT_IS_MISSING}" in output.splitlines(), output[-3000:]

    template = project.path / "template.yaml"
    events = re.search(r"\n( +)Events:\n", template.read_text())
    assert events, "ApiFunction's Events"
    indent = events[1] + "  "
    template.write_text(template.read_text().replace(events[0], f"{events[0]}{indent}{TEMPLATE_LINE}\n", 1))
    importable = os.environ | {"PYTHONPATH": str(project.path)}
    written = project.run(BIN / "invoke", "api.event", ROUTE, env=importable, timeout=60)
    assert written.returncode == 0, written.stderr
    assert route_registry_test(project)[0] == 0
    linted = project.run(BIN / "cfn-lint", "template.yaml", timeout=120)
    assert (linted.returncode, linted.stdout) == (0, "")
