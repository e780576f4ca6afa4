"""invoke generate.resource and destroy.resource in a baked project, on the real MariaDB and PostgreSQL.

One project per database: two resources generated (one with every field type, one referencing
it and the example Post), migrated, rolled back and migrated again; the project's own suite, ruff
and cfn-lint then pass, and each new route answers its sample event. Then one is destroyed.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import servers
from tests.baking import BIN, DATABASES, HEAD, bake, combination_name, offline_environment
from tests.project import Project

pytestmark = pytest.mark.slow  # scripts/test --quick leaves this module out

BLOG_POST = [
    "title:string",
    "body:text",
    "views:integer",
    "reach:bigint",
    "price:decimal",
    "ratio:float",
    "published:boolean",
    "published_on:date",
    "starts_at:datetime",
    "meta:json",
]
COMMENT = ["body:text", "blog_post:references", "post:references"]
# Each new route's sample event, in an order that finds what the earlier ones made, and its status.
SAMPLES = [
    ("post_blog_posts.json", 201),
    ("post_posts.json", 201),
    ("post_comments.json", 201),
    ("get_blog_posts.json", 200),
    ("get_comments.json", 200),
    ("get_blog_posts_blog_post_id.json", 200),
    ("get_comments_comment_id.json", 200),
    ("put_blog_posts_blog_post_id.json", 200),
    ("put_comments_comment_id.json", 200),
    ("delete_comments_comment_id.json", 204),
    ("delete_blog_posts_blog_post_id.json", 204),
]


def snapshot(project: Project) -> dict[str, str]:
    """Every file of the project but caches, by path, with its text."""
    root = project.baked.path
    return {
        str(path.relative_to(root)): path.read_text()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(part.endswith("cache__") or part.startswith(".") for part in path.parts)
    }


def revision(project: Project, name: str) -> str:
    return project.revision_file(name).name.split("_", 1)[0]


@dataclass(frozen=True)
class Generated:
    """A project with BlogPost and Comment generated, and its files as they were before each."""

    project: Project
    before: dict[str, str]
    before_comment: dict[str, str]


@pytest.fixture(scope="module", params=DATABASES)
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """A project with BlogPost and Comment generated, its development database migrated."""
    name = combination_name(request.param, "generate")
    project = Project(bake(tmp_path_factory.mktemp("generate"), project_name=name, database=request.param))
    servers.drop_databases(project.database, project.baked.app_name)  # what an earlier run left
    project.ok("db.create")
    project.ok("db.migrate")
    before = snapshot(project)
    planned = project.ok("generate.resource", "BlogPost", "--dry-run", "--", *BLOG_POST).splitlines()
    assert snapshot(project) == before  # a dry run writes nothing
    done = project.ok("generate.resource", "BlogPost", "--", *BLOG_POST).splitlines()
    assert done[:-1] == planned[:-1]
    assert done[-1] == f"create  {project.revision_file('create_blog_posts').relative_to(project.baked.path)}"
    project.ok("db.migrate")
    before_comment = snapshot(project)
    project.ok("generate.resource", "comment", "--", *COMMENT)
    project.ok("db.migrate")
    return Generated(project, before, before_comment)


@pytest.fixture
def project(generated: Generated) -> Project:
    return generated.project


def test_the_migrations_roll_back_and_migrate_again(project: Project) -> None:
    tables = servers.tables(project.database, project.development)
    assert {"blog_posts", "comments"} <= tables
    assert project.ok("db.rollback", "--steps", "2").strip().endswith(HEAD)
    assert servers.tables(project.database, project.development) == tables - {"blog_posts", "comments"}
    assert project.ok("db.migrate").strip() == f"Current version: {revision(project, 'create_comments')}"
    columns = servers.columns(project.database, project.development, "comments")
    assert columns == {"id", "body", "blog_post_id", "post_id", "created_at", "updated_at"}


def test_the_project_suite_passes_with_the_generated_tests(project: Project) -> None:
    result = project.pytest()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_the_generated_code_is_ruff_clean_and_template_yaml_lints(project: Project) -> None:
    for command in (["check"], ["format", "--check"]):
        result = project.baked.run(BIN / "ruff", *command, "--no-cache", ".")
        assert result.returncode == 0, result.stdout + result.stderr
    result = project.baked.run(BIN / "cfn-lint", "template.yaml", env=offline_environment(project.baked))
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_new_route_answers_its_sample_event(project: Project) -> None:
    for event, status in SAMPLES:
        response = json.loads(project.ok("api.invoke", str(Path("events") / event)))
        assert response["statusCode"] == status, (event, response)


def test_what_cannot_be_generated_is_refused_in_one_line(project: Project) -> None:
    """Each refusal is tested in the project's tests/unit/test_resources.py; here, the task's one line."""
    before = snapshot(project)
    assert project.error("generate.resource", "post") == (
        "error: post already exists (Post in app/models/post.py): pick another name, "
        "or invoke destroy.resource post first"
    )
    assert project.error("generate.resource", "tags", "--", "body:text") == (
        "error: tags looks plural: name the resource in the singular (tag; its table is tags), "
        "or keep tags with --force-plural"
    )
    assert project.error("generate.resource", "tag", "--", "author:references") == (
        "error: author:references: no model author in app/models "
        "(there are: blog_post, comment, idempotency_key, post): generate it first"
    )
    assert snapshot(project) == before


def test_destroy_removes_what_generate_wrote_once_rolled_back(generated: Generated) -> None:
    project = generated.project
    project.ok("db.migrate", "--env", "test")  # the generated suite migrated it; now surely
    created = f"{revision(project, 'create_comments')} create_comments"
    applied = f"{created} is applied to"
    assert project.error("destroy.resource", "blog_post") == (
        "error: comment references blog_post: invoke destroy.resource comment first"
    )
    assert project.error("destroy.resource", "comment") == (
        f"error: {applied} {project.development}: roll it back first (invoke db.rollback), then destroy"
    )
    project.ok("db.rollback")
    assert project.error("destroy.resource", "comment") == (
        f"error: {applied} {project.test}: roll it back first (invoke db.rollback --env test), then destroy"
    )
    project.ok("db.rollback", "--env", "test")
    project.ok("db.generate", "add_notes_to_comments")
    later = project.revision_file("add_notes_to_comments")
    assert project.error("destroy.resource", "comment") == (
        f"error: {later.name.split('_', 1)[0]} add_notes_to_comments revises {created}: "
        "remove it first (invoke destroy.resource removes only what generate.resource wrote)"
    )
    later.unlink()
    planned = project.ok("destroy.resource", "comment", "--dry-run")
    assert project.ok("destroy.resource", "comment") == planned
    assert snapshot(project) == generated.before_comment
    project.ok("db.rollback")
    project.ok("db.rollback", "--env", "test")
    project.ok("destroy.resource", "BlogPost")
    assert snapshot(project) == generated.before
    assert project.error("destroy.resource", "comment") == (
        "error: comment was not made by invoke generate.resource (app/models/comment.py is missing): "
        "remove its files by hand"
    )
