"""The invoke db tasks of a baked project, against the real MariaDB and PostgreSQL."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from sqlalchemy import text

from tests import servers
from tests.baking import BIN, DATABASES, HEAD, REVISIONS, bake, combination_name
from tests.project import Project

pytestmark = pytest.mark.slow  # scripts/test --quick leaves this module out

CREATE_TAGS = """def upgrade() -> None:
    op.create_table("tags", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("tags")
"""
# Creates a table, then, when the test names a file in MIDWAY, touches it and waits for MIDWAY.go
# (at most 60 s) before it adds a column: the test races or kills the run in between.
MIDWAY = """def upgrade() -> None:
    import os, pathlib, time

    op.create_table("tags", sa.Column("id", sa.Integer(), primary_key=True))
    if os.environ.get("MIDWAY"):
        pathlib.Path(os.environ["MIDWAY"]).touch()
        go, deadline = pathlib.Path(os.environ["MIDWAY"] + ".go"), time.monotonic() + 60
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    op.add_column("tags", sa.Column("name", sa.String(50)))


def downgrade() -> None:
    op.drop_table("tags")
"""
COMMENTS = """\"\"\"Comments on posts, with an indexed foreign key.\"\"\"

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Comment(Base):
    \"\"\"A comment on a post.\"\"\"

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(String(255))
"""
REPLIES = """    body: Mapped[str] = mapped_column(String(255))
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
"""
UP_DOWN_UP = "tests/integration/test_migrations.py::test_every_revision_goes_up_down_to_base_and_up_again"
HALF_DONE = """def upgrade() -> None:
    op.create_table("halfway", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("INSERT INTO no_such_table VALUES (1)")


def downgrade() -> None:
    op.drop_table("halfway")
"""


def wait_until(condition: Callable[[], object], *processes: subprocess.Popen[str]) -> None:
    """Wait (at most 60 s) for ``condition``, failing early when one of ``processes`` has ended."""
    deadline = time.monotonic() + 60
    while not condition():
        for process in processes:
            assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def outcome(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    """The exit status, stdout and stderr of a process started with ``Project.start``."""
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


@pytest.fixture(scope="module", params=DATABASES)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Project:
    name = combination_name(request.param, "tasks")
    project = Project(bake(tmp_path_factory.mktemp("tasks"), project_name=name, database=request.param))
    servers.drop_databases(project.database, project.baked.app_name)  # what an earlier run left
    return project


def test_list_shows_every_task_with_its_help(project: Project) -> None:
    listed = project.ok("--list")
    for name in [
        "create",
        "drop",
        "generate",
        "migrate",
        "rollback",
        "status",
        "version",
        "seed",
        "setup",
        "reset",
        "console",
        "merge",
        "stamp",
    ]:
        line = next(line for line in listed.splitlines() if line.strip().startswith(f"db.{name} "))
        assert len(line.split(maxsplit=1)[1]) > 10, line
    for name in ["deploy", "api.invoke", "deps.lock"]:
        assert any(line.strip().startswith(f"{name} ") for line in listed.splitlines()), listed


def test_deploy_builds_then_deploys_the_environment_stack(project: Project) -> None:
    def planned(*args: str) -> list[str]:
        """What invoke --dry would run, without its colours."""
        return re.sub(r"\x1b\[[0-9;]*m", "", project.ok("--dry", "deploy", *args)).splitlines()

    assert planned("--env", "production") == [
        f"Deploying {project.baked.path.name}-production to us-east-1",
        "sam build --config-env production",
        "sam deploy --config-env production",
    ]
    assert planned("--guided")[-1] == "sam deploy --config-env production --guided"
    assert project.error("deploy", "--env", "staging") == (
        "error: samconfig.toml has no 'staging' environment: use --env with one of production"
    )


def test_create_makes_development_and_test_databases_and_can_run_twice(project: Project) -> None:
    assert project.ok("db.create") == f"Created {project.development}\nCreated {project.test}\n"
    assert {project.development, project.test} <= servers.databases(project.database)
    again = project.ok("db.create")
    assert again == f"Already exists: {project.development}\nAlready exists: {project.test}\n"
    assert project.recorded(project.development) == "development"
    assert project.recorded(project.test) == "test"


def test_alembic_run_by_hand_records_the_environment_too(project: Project) -> None:
    project.ok("db.drop")
    with servers.engine(project.database).connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            f"CREATE DATABASE {project.development}"
        )
    result = project.baked.run(BIN / "alembic", "upgrade", "head", env=project.environment())
    assert result.returncode == 0, result.stderr
    assert project.recorded(project.development) == "development"


def test_migrate_status_version_rollback(project: Project) -> None:
    project.ok("db.create")
    assert f"Current version: {HEAD}" in project.ok("db.migrate")
    assert project.has_table("posts")

    revision = project.write_revision("create_tags", CREATE_TAGS)
    assert project.revision_file("create_tags").name == f"{revision}_create_tags.py"
    assert f"   down   {revision}  create_tags" in project.ok("db.status")

    assert f"Current version: {revision}" in project.ok("db.migrate")
    assert project.has_table("tags")
    status = project.ok("db.status")
    assert f"   up     {REVISIONS[0]}  create_posts" in status
    assert f"   up     {revision}  create_tags" in status
    assert project.ok("db.version") == f"Current version: {revision}\n"

    assert project.ok("db.rollback") == f"Current version: {HEAD}\n"
    assert not project.has_table("tags")
    assert project.has_table("posts")
    project.revision_file("create_tags").unlink()


def test_autogenerate_picks_up_a_new_model_column(project: Project) -> None:
    project.ok("db.setup")
    model = project.baked.path / "app" / "models" / "post.py"
    original = model.read_text()
    model.write_text(
        original.replace(
            '    body: Mapped[str] = mapped_column(Text, default="")\n',
            '    body: Mapped[str] = mapped_column(Text, default="")\n'
            "    subtitle: Mapped[str | None] = mapped_column(String(100))\n",
        )
    )
    try:
        project.ok("db.generate", "add_subtitle_to_posts", "--autogenerate")
        generated = project.revision_file("add_subtitle_to_posts").read_text()
        assert (
            'op.add_column("posts", sa.Column("subtitle", sa.String(length=100), nullable=True))' in generated
        )
        assert "app_internal_metadata" not in generated
        project.ok("db.migrate")
        assert "subtitle" in servers.columns(project.database, project.development, "posts")
        project.ok("db.rollback")
        assert "subtitle" not in servers.columns(project.database, project.development, "posts")
    finally:
        model.write_text(original)
        project.revision_file("add_subtitle_to_posts").unlink()


def test_seed_inserts_rows_once(project: Project) -> None:
    project.ok("db.setup")
    count = "SELECT COUNT(*) FROM posts"
    assert servers.scalar(project.database, project.development, count) == 2
    assert project.ok("db.seed") == f"Seeded {project.development}: 0 row(s) added\n"
    assert servers.scalar(project.database, project.development, count) == 2


def test_reset_rebuilds_the_database(project: Project) -> None:
    project.ok("db.setup")
    with servers.engine(project.database, project.development).begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO posts (title, body, created_at, updated_at) VALUES ('extra', '', NOW(), NOW())"
        )
    project.ok("db.reset")
    assert servers.scalar(project.database, project.development, "SELECT COUNT(*) FROM posts") == 2
    assert project.ok("db.version") == f"Current version: {HEAD}\n"


def test_console_runs_the_client_on_the_environment_database(project: Project) -> None:
    project.ok("db.create")
    query = "SELECT DATABASE();" if project.database == "mysql" else "SELECT current_database();"
    result = project.baked.run(
        BIN / "invoke",
        "db.console",
        input=query,
        timeout=60,
        env=os.environ | {"PYTHONPATH": str(project.baked.path), "PATH": f"{BIN}:{os.environ['PATH']}"},
    )
    assert result.returncode == 0, result.stderr
    assert project.development in result.stdout


def test_a_database_recorded_as_production_is_protected_whatever_the_url_says(project: Project) -> None:
    production = f"{project.baked.app_name}_production"
    url = project.url(production)
    aimed = {"DATABASE_URL": url, "DB_SSL": "false", **project.app_user}
    project.ok("db.create", "--env", "production", **aimed)
    # as in Rails, migrating and seeding a protected environment's database need no --force
    project.ok("db.migrate", "--env", "production", **aimed)
    assert project.ok("db.seed", APP_ENV="production", **aimed) == f"Seeded {production}: 2 row(s) added\n"

    def mismatch(action: str) -> str:
        return (
            f"error: refusing to {action} {production}: it is the 'production' database, not the "
            "'development' one (check DATABASE_URL and config/database.yml)"
        )

    # aimed at it by DATABASE_URL or DB_NAME, while asking for development: refused, even with --force
    for aimed_at in ({"DATABASE_URL": url}, {"DB_NAME": production}):
        for task, action in [
            (["db.migrate"], "migrate"),
            (["db.seed"], "seed"),
            (["db.stamp", "base"], "stamp"),
            (["db.rollback", "--force"], "roll back"),
            (["db.reset", "--force"], "reset"),
            (["db.drop", "--force"], "drop"),
        ]:
            assert project.error(*task, **aimed_at) == mismatch(action)

    def protected(action: str) -> str:
        return (
            f"error: refusing to {action} {production}: 'production' is a protected environment; "
            "add --force if you really mean it"
        )

    assert project.error("db.rollback", "--env", "production", **aimed) == protected("roll back")
    assert project.error("db.drop", "--env", "production", **aimed) == protected("drop")
    assert project.error("db.reset", APP_ENV="production", **aimed) == protected("reset")
    assert project.posts(production) == 2  # nothing was changed
    assert servers.scalar(project.database, production, "SELECT version_num FROM alembic_version") == HEAD

    forced = project.ok("db.rollback", "--env", "production", "--force", **aimed)
    assert forced == f"Current version: {REVISIONS[-2]}\n"
    assert project.ok("db.drop", "--env", "production", "--force", **aimed) == f"Dropped {production}\n"
    assert production not in servers.databases(project.database)


def test_two_migrations_at_once_apply_one_chain(project: Project, tmp_path: Path) -> None:
    """The second waits for the first, then finds nothing to do; a third gives up after its wait."""
    project.ok("db.drop")
    project.ok("db.create")
    revision = project.write_revision("create_tags", MIDWAY)
    midway = tmp_path / "midway"
    try:
        first = project.start("db.migrate", MIDWAY=str(midway))
        wait_until(midway.exists, first)
        second = project.start("db.migrate")
        wait_until(lambda: servers.lock_waiters(project.database, project.development), first, second)
        assert project.error("db.migrate", DB_MIGRATION_LOCK_TIMEOUT="1") == (
            f"error: another migration of {project.development} holds its lock (1 s waited): "
            "run this again once it has finished"
        )
        (tmp_path / "midway.go").touch()
        runs = [outcome(first), outcome(second)]
        assert [(status, out) for status, out, _ in runs] == [(0, f"Current version: {revision}\n")] * 2
        assert [err.count("Running upgrade") for _, _, err in runs] == [len(REVISIONS) + 1, 0]
        assert "name" in servers.columns(project.database, project.development, "tags")
    finally:
        project.revision_file("create_tags").unlink()
        project.ok("db.drop")


def test_two_migrate_functions_at_once_create_and_migrate_once(project: Project, tmp_path: Path) -> None:
    production = f"{project.baked.app_name}_production"
    servers.drop_databases(project.database, project.baked.app_name)
    aimed = {"APP_ENV": "production", "DATABASE_URL": project.url(production), "DB_SSL": "false"}
    aimed |= project.app_user
    revision = project.write_revision("create_tags", MIDWAY)
    midway = tmp_path / "midway"
    try:
        first = project.migrate_function(MIDWAY=str(midway), **aimed)
        wait_until(midway.exists, first)
        second = project.migrate_function(**aimed)
        wait_until(lambda: servers.lock_waiters(project.database, production), first, second)
        (tmp_path / "midway.go").touch()
        runs = [outcome(first), outcome(second)]
        assert [status for status, _, _ in runs] == [0, 0], runs
        assert [json.loads(out) for _, out, _ in runs] == [
            {"database": production, "created": True, "previous": None, "current": revision},
            {"database": production, "created": False, "previous": revision, "current": revision},
        ]
    finally:
        project.revision_file("create_tags").unlink()
        servers.drop_databases(project.database, project.baked.app_name)


def test_a_revision_killed_midway_is_reported_and_recovered_with_the_tasks(
    project: Project, tmp_path: Path
) -> None:
    project.ok("db.setup")
    stored = project.posts()
    revision = project.write_revision("create_tags", MIDWAY)
    midway = tmp_path / "midway"
    try:
        run = project.start("db.migrate", MIDWAY=str(midway))
        wait_until(midway.exists, run)  # tags is created, its column not yet added
        run.send_signal(signal.SIGKILL)
        run.communicate()
        status = project.ok("db.status")
        if project.database == "postgresql":  # the revision's transaction took its CREATE TABLE along
            assert f"   down   {revision}  create_tags\n" in status
            assert not project.has_table("tags")
        else:  # MySQL committed the CREATE TABLE at once
            assert status.endswith(
                f"   ?      {revision}  create_tags (stopped midway: see below)\n\n"
                f"{revision} create_tags stopped midway through its upgrade: what it did before it stopped "
                "stays (the server commits DDL statement by statement). Undo that by hand (see upgrade() "
                f"in migrations/versions/{revision}_create_tags.py), then invoke db.stamp {HEAD}; "
                f"or finish it by hand, then invoke db.stamp {revision}.\n"
            )
            refused = (
                f"error: the upgrade of {revision} started on {project.development} and did not finish: "
                "invoke db.status says how to recover, with invoke db.stamp"
            )
            assert project.error("db.migrate") == refused
            assert project.error("db.rollback") == refused
            assert project.has_table("posts") and project.posts() == stored
            with servers.engine(project.database, project.development).begin() as connection:
                connection.exec_driver_sql("DROP TABLE tags")  # undone by hand
            assert project.ok("db.stamp", HEAD) == f"Current version: {HEAD}\n"
            assert f"   down   {revision}  create_tags\n" in project.ok("db.status")
        assert project.ok("db.migrate") == f"Current version: {revision}\n"
        assert "name" in servers.columns(project.database, project.development, "tags")
        assert project.posts() == stored
        project.ok("db.rollback")
    finally:
        project.revision_file("create_tags").unlink()


def test_development_acts_once_on_one_database(project: Project) -> None:
    project.ok("db.drop")
    url = project.url(project.development)
    assert project.ok("db.create", DATABASE_URL=url) == f"Created {project.development}\n"
    assert project.test not in servers.databases(project.database)
    assert project.ok("db.drop", DATABASE_URL=url) == f"Dropped {project.development}\n"
    assert project.ok("db.create", DB_NAME_TEST=project.development) == f"Created {project.development}\n"
    assert project.ok("db.drop", DB_NAME_TEST=project.development) == f"Dropped {project.development}\n"


def test_api_invoke_runs_the_handler_on_an_event_file(project: Project) -> None:
    """The no-Docker way to run the API locally, on the development database."""
    servers.drop_databases(project.database, project.baked.app_name)
    project.ok("db.setup")
    sample = json.loads((project.baked.path / "events" / "post_posts.json").read_text())

    created = json.loads(project.ok("api.invoke", "events/post_posts.json"))
    assert created["statusCode"] == 201
    assert json.loads(created["body"])["title"] == json.loads(sample["body"])["title"]
    assert project.posts() == 3  # the 2 seeds and this one

    # env.json's variables, with this machine for host.docker.internal (the Docker host)
    env = json.loads((project.baked.path / "env.json").read_text())["ApiFunction"] | {"DB_HOST": "127.0.0.1"}
    listed = json.loads(project.ok("api.invoke", "events/get_posts.json", **env))
    assert listed["statusCode"] == 200
    assert json.loads(listed["body"])["items"][0] == json.loads(created["body"])  # newest first
    assert len(json.loads(listed["body"])["items"]) == 3

    assert project.error("api.invoke", "events/nope.json") == (
        "error: cannot read the event file events/nope.json: No such file or directory"
    )


def test_api_event_openapi_and_docs_describe_the_routes_in_code(project: Project, tmp_path: Path) -> None:
    route = "GET /posts/{post_id}/comments"
    written = project.baked.path / "events" / "get_posts_post_id_comments.json"
    try:
        assert project.ok("api.event", route) == "Wrote events/get_posts_post_id_comments.json\n"
        event = json.loads(written.read_text())
    finally:
        written.unlink(missing_ok=True)
    assert (event["routeKey"], event["rawPath"]) == (route, "/posts/1/comments")
    assert event["pathParameters"] == {"post_id": "1"}

    document = tmp_path / "openapi.json"
    assert project.ok("api.openapi", "--output", str(document)) == f"Wrote {document}\n"
    validate(json.loads(document.read_text()))

    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    docs = subprocess.Popen(
        [BIN / "invoke", "api.docs", "--port", str(port)],
        cwd=project.baked.path, env=project.environment(), stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert docs.stdout.readline() == f"Swagger UI on http://127.0.0.1:{port}/ (Ctrl-C to stop)\n"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert "SwaggerUIBundle" in page.read().decode()
    finally:
        docs.terminate()
        docs.wait(timeout=10)


def test_pytest_never_empties_the_development_database(project: Project) -> None:
    project.ok("db.setup")
    stored = project.posts()
    assert stored >= 2  # the seeds, and whatever earlier tests of the module wrote
    url = project.url(project.development)
    one_test = "tests/integration/test_protection.py::test_the_test_database_is_recorded_as_test"
    result = project.pytest(one_test, DATABASE_URL=url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert project.posts() == stored

    result = project.pytest(one_test, TEST_DATABASE_URL=url)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert (
        f"error: refusing to empty the tables of {project.development}: it is the 'development' database, "
        "not the 'test' one (check TEST_DATABASE_URL and config/database.yml)"
    ) in result.stdout
    assert project.posts() == stored


def test_pytest_stops_in_one_line_when_the_database_is_out_of_reach(project: Project) -> None:
    result = project.pytest(DB_PORT="1")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 2, lines  # pytest's summary, and why
    assert re.fullmatch(r"no tests ran in [\d.]+s", lines[0]), lines
    assert lines[1].startswith(
        f"! _pytest.outcomes.Exit: error: cannot reach the server of 127.0.0.1:1/{project.test}: "
    )


def test_pytest_leaves_a_database_it_did_not_make_where_it_makes_its_scratch_ones(project: Project) -> None:
    scratch = f"{project.test}_scratch"
    url = project.url(scratch)
    project.ok("db.setup", "--env", "production", DATABASE_URL=url, DB_SSL="false", **project.app_user)
    try:
        result = project.pytest("tests/integration/test_protection.py")
        assert result.returncode == 1, result.stdout + result.stderr
        assert (
            f"refusing to empty the tables of {scratch}: it is the 'production' database, not the 'test' one"
        ) in result.stdout
        assert project.posts(scratch) == 2
    finally:
        project.ok("db.drop", "--env", "production", "--force", DATABASE_URL=url, DB_SSL="false")


def test_an_autogenerated_indexed_foreign_key_rolls_back_and_the_suite_checks_it(project: Project) -> None:
    """The generated suite runs every revision up, down and up again: a downgrade that fails, fails it."""
    servers.drop_databases(project.database, project.baked.app_name)
    project.ok("db.setup")
    models = project.baked.path / "app" / "models"
    listed = (models / "__init__.py").read_text()
    (models / "comment.py").write_text(COMMENTS)
    (models / "__init__.py").write_text(
        listed.replace(
            "from .post import Post", "from .comment import Comment\nfrom .post import Post"
        ).replace('__all__ = ["Base", ', '__all__ = ["Base", "Comment", ')
    )
    try:
        project.ok("db.generate", "add_comments", "--autogenerate")
        project.ok("db.migrate")
        # an indexed foreign key added to a table, then removed: the key goes before its index
        (models / "comment.py").write_text(COMMENTS.replace(REPLIES.splitlines()[0] + "\n", REPLIES))
        project.ok("db.generate", "add_replies", "--autogenerate")
        project.ok("db.migrate")
        (models / "comment.py").write_text(COMMENTS)
        project.ok("db.generate", "remove_replies", "--autogenerate")
        project.ok("db.migrate")
        result = project.pytest(UP_DOWN_UP)
        assert result.returncode == 0, result.stdout
        # the downgrade as Alembic writes it: the index first, then the table it belongs to
        comments = project.revision_file("add_comments")
        drop_index = '    op.drop_index(op.f("ix_comments_post_id"), table_name="comments")\n'
        drop_table = '    op.drop_table("comments")'
        comments.write_text(comments.read_text().replace(drop_table, drop_index + drop_table))
        result = project.pytest(UP_DOWN_UP)
        if project.database == "mysql":  # the foreign key needs the index
            assert result.returncode == 1
            assert (
                "Cannot drop index 'ix_comments_post_id': needed in a foreign key constraint" in result.stdout
            )
        else:  # PostgreSQL's foreign keys need no index of their own
            assert result.returncode == 0, result.stdout
    finally:
        (models / "comment.py").unlink()
        (models / "__init__.py").write_text(listed)
        for name in ("add_comments", "add_replies", "remove_replies"):
            for path in (project.baked.path / "migrations" / "versions").glob(f"*_{name}.py"):
                path.unlink()
        servers.drop_databases(project.database, project.baked.app_name)


def test_bad_migration_name_and_unknown_env_are_one_line_errors(project: Project) -> None:
    assert project.error("db.generate", "add-author") == (
        "error: migration name 'add-author' is not an identifier: use letters, digits and underscores, "
        "e.g. add_author_to_posts or AddAuthorToPosts"
    )
    assert project.error("db.migrate", "--env", "staging") == (
        "error: unknown environment 'staging': database.yml defines development, test, production"
    )


def test_a_misspelt_setting_stops_the_tasks_and_the_local_handler_in_one_line(project: Project) -> None:
    config = project.baked.path / "config" / "database.yml"
    original = config.read_text()
    config.write_text(original.replace("\n  database: ${DB_NAME:-", "\n  databse: ${DB_NAME:-", 1))
    try:
        line = (
            "error: unknown setting 'databse' in the 'development' section of database.yml: "
            "did you mean 'database'?"
        )
        assert project.error("db.status") == line
        assert project.error("api.invoke", "events/get_posts.json") == line
    finally:
        config.write_text(original)


def test_generate_takes_camel_case_names_as_rails_does(project: Project) -> None:
    created = project.ok("db.generate", "AddTagsToPosts")
    path = project.revision_file("add_tags_to_posts")
    path.unlink()
    assert created.endswith(f"Created migrations/versions/{path.name}\n")


def test_migrate_and_rollback_say_what_they_cannot_do(project: Project) -> None:
    project.ok("db.setup")
    revision = project.write_revision("create_tags", CREATE_TAGS)
    try:
        project.ok("db.migrate")
        assert project.error("db.migrate", "--target", HEAD) == (
            f"error: {project.development} is already past {HEAD} (at {revision}): "
            "invoke db.rollback --steps 1 goes back to it"
        )
        assert project.error("db.rollback", "--steps", "0") == (
            "error: --steps must be a positive number of migrations, not 0"
        )
        assert project.error("db.rollback", "--steps", "9") == (
            f"error: cannot roll back 9 migration(s): {len(REVISIONS) + 1} applied"
        )
        project.ok("db.rollback")
    finally:
        project.revision_file("create_tags").unlink()


def test_an_applied_revision_whose_file_is_missing(project: Project) -> None:
    project.ok("db.setup")
    revision = project.write_revision("create_tags", CREATE_TAGS)
    project.ok("db.migrate")
    path = project.revision_file("create_tags")
    kept = path.read_text()
    path.unlink()  # as after switching to a branch that does not have it
    try:
        status = project.ok("db.status")
        assert f"   up     {revision}  ********** NO FILE **********" in status
        assert f"   ?      {REVISIONS[0]}  create_posts" in status
        missing = (
            f"it is at {revision}, which has no file in migrations/versions (from another branch?): "
            "check that branch out, roll back there, then come back"
        )
        assert project.error("db.rollback") == f"error: cannot roll back {project.development}: {missing}"
        assert project.error("db.migrate") == f"error: cannot migrate {project.development}: {missing}"
    finally:
        path.write_text(kept)
    project.ok("db.rollback")
    path.unlink()


def test_two_heads_are_named_and_merged(project: Project) -> None:
    project.ok("db.setup")
    first = project.write_revision("create_tags", CREATE_TAGS)
    second = project.write_revision(
        "add_tags_index", "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n"
    )
    path = project.revision_file("add_tags_index")
    path.write_text(
        path.read_text().replace(
            f'down_revision: str | None = "{first}"', f'down_revision: str | None = "{HEAD}"'
        )
    )
    try:
        heads = (
            f"error: migrations/versions has 2 heads ({first} create_tags, {second} add_tags_index), as when "
            "two branches each add a revision: invoke db.merge writes the revision that joins them"
        )
        assert project.error("db.migrate") == heads
        assert project.error("db.generate", "add_more") == heads
        created = project.ok("db.merge")
        merge = project.revision_file("merge_heads")
        assert created.endswith(f"Created migrations/versions/{merge.name}\n")
        merged = merge.name.split("_", 1)[0]
        assert project.ok("db.migrate").endswith(f"Current version: {merged}\n")
        assert project.has_table("tags")
        assert project.error("db.merge") == (
            f"error: nothing to merge: migrations/versions has a single head ({merged})"
        )
    finally:
        for name in ("create_tags", "add_tags_index", "merge_heads"):
            project.revision_file(name).unlink()
        project.ok("db.drop")


def test_an_unreachable_database_is_named_in_one_line(project: Project) -> None:
    line = project.error("db.version", DB_PORT="1")
    assert line.startswith(f"error: cannot connect to 127.0.0.1:1/{project.development}: ")
    for task in ("db.create", "db.migrate"):  # both begin with the server (the migration lock)
        line = project.error(task, DB_PORT="1")
        assert line.startswith(f"error: cannot reach the server of 127.0.0.1:1/{project.development}: ")


def test_a_migration_that_fails_halfway(project: Project) -> None:
    project.ok("db.setup")
    revision = project.write_revision("half_done", HALF_DONE)
    try:
        line = project.error("db.migrate")
        assert line.startswith(f"error: a migration failed on {project.development}: ")
        assert line.endswith("(invoke db.status shows where it stands)")
        assert project.ok("db.version") == f"Current version: {HEAD}\n"
        # PostgreSQL's transactional DDL undoes the CREATE TABLE; MySQL commits DDL at once.
        assert project.has_table("halfway") is (project.database == "mysql")
        status = project.ok("db.status")
        if project.database == "mysql":
            assert f"   ?      {revision}  half_done (stopped midway: see below)\n" in status
            with servers.engine(project.database, project.development).begin() as connection:
                connection.exec_driver_sql("DROP TABLE halfway")
            project.ok("db.stamp", HEAD)
        else:
            assert f"   down   {revision}  half_done\n" in status
    finally:
        project.revision_file("half_done").unlink()


def test_seed_says_in_one_line_why_it_cannot_seed(project: Project) -> None:
    project.ok("db.drop")
    port = project.url("x").split(":")[-1].split("/")[0]
    reach = f"error: cannot connect to 127.0.0.1:{port}/{project.development}: "
    assert project.error("db.seed").startswith(reach)  # no database
    assert project.error("db.seed", DB_PORT="1").startswith(
        f"error: cannot connect to 127.0.0.1:1/{project.development}: "
    )
    project.ok("db.create")
    assert project.error("db.seed") == (
        f"error: {project.development} has {len(REVISIONS)} pending migration(s), {project.shipped()}: "
        "run invoke db.migrate first"
    )
    assert project.error("db.seed", "--env", "test") == (  # the hint names the environment asked for
        f"error: {project.test} has {len(REVISIONS)} pending migration(s), {project.shipped()}: "
        "run invoke db.migrate --env test first"
    )
    # PostgreSQL trusts local connections here whatever the password: an unknown user fails alike.
    wrong = {"DB_PASS": "wrong"} if project.database == "mysql" else {"DB_USER": "no_such_user"}
    line = project.error("db.seed", **wrong)
    assert line.startswith(reach), line
    assert (
        "Access denied for user 'root'"
        if project.database == "mysql"
        else 'role "no_such_user" does not exist'
    ) in line


def test_version_without_privileges_is_one_line(project: Project) -> None:
    project.ok("db.setup")
    user = f"{project.baked.app_name}_nobody"
    create, drop = {
        "mysql": (f"CREATE USER IF NOT EXISTS '{user}'@'%'", f"DROP USER IF EXISTS '{user}'@'%'"),
        "postgresql": (f"CREATE ROLE {user} LOGIN", f"DROP ROLE IF EXISTS {user}"),
    }[project.database]
    with servers.engine(project.database).connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text(drop))
        connection.execute(text(create))
        try:
            line = project.error("db.version", DB_USER=user)
        finally:
            connection.execute(text(drop))
    if project.database == "mysql":
        assert line.startswith(f"error: cannot connect to 127.0.0.1:3306/{project.development}: (1044, ")
    else:
        assert line == (
            f"error: cannot read the migration version of {project.development}: "
            "permission denied for table alembic_version"
        )


def test_bad_settings_are_one_line(project: Project) -> None:
    scheme = project.database
    assert project.error("db.version", DATABASE_URL=f"{scheme}://app:p@ss@127.0.0.1/blog") == (
        "error: DATABASE_URL has more than one '@': percent-encode the ones in the user name or password "
        "as %40 (and ':' as %3A, '/' as %2F)"
    )
    assert project.error("db.version", DATABASE_URL=f"{scheme}://app:secret@127.0.0.1:port/blog") == (
        "error: DATABASE_URL has a port that is not a number: use adapter://user:password@host:port/database"
    )
    database_yml = project.baked.path / "config" / "database.yml"
    original = database_yml.read_text()
    try:
        database_yml.write_text(original + "\nstaging: hello\n")
        assert project.error("db.version", "--env", "staging") == (
            "error: the 'staging' section of database.yml must map setting names to values, not 'hello'"
        )
        database_yml.write_text(original + "\nstaging:\n  host: a\n   port: 1\n")
        line = len(original.splitlines()) + 4
        assert project.error("db.version") == (
            f"error: {database_yml}, line {line}, column 8 is not valid YAML: "
            "mapping values are not allowed here"
        )
    finally:
        database_yml.write_text(original)
