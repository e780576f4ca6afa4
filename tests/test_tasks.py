"""The invoke db tasks of a baked project, against the real MariaDB and PostgreSQL."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests import servers
from tests.baking import BIN, DATABASES, Baked, bake, combination_name

CREATE_TAGS = """def upgrade() -> None:
    op.create_table("tags", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("tags")
"""
HALF_DONE = """def upgrade() -> None:
    op.create_table("halfway", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("INSERT INTO no_such_table VALUES (1)")


def downgrade() -> None:
    op.drop_table("halfway")
"""


class Project:
    """A baked project whose tasks are run as a user runs them: ``invoke db.migrate``."""

    def __init__(self, baked: Baked) -> None:
        self.baked = baked
        self.database = baked.context["database"]
        self.development = f"{baked.package}_development"
        self.test = f"{baked.package}_test"

    def invoke(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith(("DB_", "APP_ENV"))
        }
        environment |= {"PYTHONPATH": str(self.baked.path), "PATH": f"{BIN}:{environment['PATH']}", **env}
        return self.baked.run(BIN / "invoke", *args, env=environment, timeout=120)

    def ok(self, *args: str, **env: str) -> str:
        result = self.invoke(*args, **env)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def error(self, *args: str, **env: str) -> str:
        """The one line a failing task prints."""
        result = self.invoke(*args, **env)
        assert result.returncode == 1, result.stdout + result.stderr
        lines = result.stderr.strip().splitlines()
        assert lines[-1].startswith("error: "), result.stderr
        assert "Traceback" not in result.stderr
        return lines[-1]

    def revision_file(self, name: str) -> Path:
        (path,) = (self.baked.path / "migrations" / "versions").glob(f"*_{name}.py")
        return path

    def write_revision(self, name: str, body: str) -> str:
        """Generate revision ``name`` with db.generate and give it ``body``; return its id."""
        self.ok("db.generate", name)
        path = self.revision_file(name)
        text = path.read_text()
        path.write_text(text[: text.index("def upgrade()")] + body)
        return path.name.split("_", 1)[0]

    def has_table(self, table: str) -> bool:
        return table in servers.tables(self.database, self.development)


@pytest.fixture(scope="module", params=DATABASES)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Project:
    name = combination_name(request.param, "tasks")
    project = Project(bake(tmp_path_factory.mktemp("tasks"), project_name=name, database=request.param))
    project.ok("db.drop")
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
    ]:
        line = next(line for line in listed.splitlines() if line.strip().startswith(f"db.{name} "))
        assert len(line.split(maxsplit=1)[1]) > 10, line
    assert any(line.strip().startswith("deploy ") for line in listed.splitlines()), listed


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


def test_migrate_status_version_rollback(project: Project) -> None:
    project.ok("db.create")
    assert "Current version: 20260101000000" in project.ok("db.migrate")
    assert project.has_table("posts")

    revision = project.write_revision("create_tags", CREATE_TAGS)
    assert project.revision_file("create_tags").name == f"{revision}_create_tags.py"
    assert f"   down   {revision}  create_tags" in project.ok("db.status")

    assert f"Current version: {revision}" in project.ok("db.migrate")
    assert project.has_table("tags")
    status = project.ok("db.status")
    assert "   up     20260101000000  create_posts" in status
    assert f"   up     {revision}  create_tags" in status
    assert project.ok("db.version") == f"Current version: {revision}\n"

    assert project.ok("db.rollback") == "Current version: 20260101000000\n"
    assert not project.has_table("tags")
    assert project.has_table("posts")
    project.revision_file("create_tags").unlink()


def test_autogenerate_picks_up_a_new_model_column(project: Project) -> None:
    project.ok("db.setup")
    model = project.baked.path / project.baked.package / "models" / "post.py"
    original = model.read_text()
    model.write_text(
        original.replace(
            '    body: Mapped[str] = mapped_column(Text, default="")\n',
            '    body: Mapped[str] = mapped_column(Text, default="")\n'
            "    author: Mapped[str | None] = mapped_column(String(100))\n",
        )
    )
    try:
        project.ok("db.generate", "add_author_to_posts", "--autogenerate")
        generated = project.revision_file("add_author_to_posts").read_text()
        assert (
            'op.add_column("posts", sa.Column("author", sa.String(length=100), nullable=True))' in generated
        )
        project.ok("db.migrate")
        assert "author" in servers.columns(project.database, project.development, "posts")
        project.ok("db.rollback")
        assert "author" not in servers.columns(project.database, project.development, "posts")
    finally:
        model.write_text(original)
        project.revision_file("add_author_to_posts").unlink()


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
    assert project.ok("db.version") == "Current version: 20260101000000\n"


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


def test_production_drop_and_reset_refuse_without_force(project: Project) -> None:
    production = f"{project.baked.package}_production"
    url = servers.SERVER_URLS[project.database].split("+")[0] + "://"
    url += servers.SERVER_URLS[project.database].split("://")[1].rsplit("/", 1)[0] + "/" + production
    env = {"APP_ENV": "production", "DATABASE_URL": url, "DB_SSL": "false"}
    project.ok("db.create", **env)

    refusal = (
        "error: refusing to {} the 'production' database: 'production' is a protected environment; "
        "add --force if you really mean it"
    )
    assert project.error("db.drop", **env) == refusal.format("drop")
    assert project.error("db.reset", "--env", "production", **env) == refusal.format("reset")
    assert production in servers.databases(project.database)

    assert project.ok("db.drop", "--force", **env) == f"Dropped {production}\n"
    assert production not in servers.databases(project.database)


def test_bad_migration_name_and_unknown_env_are_one_line_errors(project: Project) -> None:
    assert project.error("db.generate", "add-author") == (
        "error: migration name 'add-author' is not an identifier: use lowercase letters, digits and "
        "underscores, e.g. add_author_to_posts"
    )
    assert project.error("db.migrate", "--env", "staging") == (
        "error: unknown environment 'staging': database.yml defines development, test, production"
    )


def test_an_unreachable_database_is_named_in_one_line(project: Project) -> None:
    line = project.error("db.migrate", DB_PORT="1")
    assert line.startswith(f"error: cannot connect to 127.0.0.1:1/{project.development}: ")
    line = project.error("db.create", DB_PORT="1")
    assert line.startswith(f"error: cannot reach the server of 127.0.0.1:1/{project.development}: ")


def test_a_migration_that_fails_halfway(project: Project) -> None:
    project.ok("db.setup")
    revision = project.write_revision("half_done", HALF_DONE)
    try:
        line = project.error("db.migrate")
        assert line.startswith(f"error: a migration failed on {project.development}: ")
        assert line.endswith("(invoke db.status shows which revisions are applied)")
        assert f"   down   {revision}  half_done" in project.ok("db.status")
        assert project.ok("db.version") == "Current version: 20260101000000\n"
        # PostgreSQL's transactional DDL undoes the CREATE TABLE; MySQL commits DDL at once.
        assert project.has_table("halfway") is (project.database == "mysql")
    finally:
        project.revision_file("half_done").unlink()
