"""Connection storms: more processes than the database user may have connections.

Sixteen processes, each an execution environment of the posts API, share a database user that
may hold four connections (MariaDB's MAX_USER_CONNECTIONS, a PostgreSQL role's CONNECTION LIMIT).
The server refuses the other twelve: they answer 503 with Retry-After, keep no connection, and
get through once the storm passes.
"""

import json
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bench.project import Project
from tests.servers import engine

pytestmark = pytest.mark.slow  # scripts/test --quick leaves this module out

PROCESSES = 16
LIMIT = 4
ATTEMPTS = 5
PASSWORD = "storm-password"
WORKER = """
import json, sys, time
from app.main import handler, logger
from bench.events import CONTEXT, http_event
logger.registered_handler.setStream(sys.stderr)  # stdout carries the answers

def post(title):
    response = handler(http_event("POST /posts", {{"title": title}}), CONTEXT)
    return response["statusCode"], response["headers"].get("Retry-After"), json.loads(response["body"])

print(json.dumps([post("storm") for _ in range({attempts})]), flush=True)
sys.stdin.readline()  # the storm is over: retry as Retry-After says, until the post is stored
while (answer := post("after the storm"))[0] != 201:
    time.sleep(float(answer[1]))
print(json.dumps(answer), flush=True)
"""
COUNT_CONNECTIONS = {
    "mysql": "SELECT COUNT(*) FROM information_schema.processlist WHERE user = :user",
    "postgresql": "SELECT COUNT(*) FROM pg_stat_activity WHERE usename = :user",
}


def run_on(database: str, name: str | None, *statements: str) -> None:
    with engine(database, name).connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        for statement in statements:
            connection.execute(text(statement))


def drop_user(project: Project, user: str) -> None:
    if project.database == "mysql":
        run_on("mysql", None, f"DROP USER IF EXISTS '{user}'@'%'")
        return
    with engine("postgresql").connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :user"), {"user": user})
    if exists:
        run_on("postgresql", project.database_name, f"DROP OWNED BY {user}")  # its grants
        run_on("postgresql", None, f"DROP ROLE {user}")


@pytest.fixture
def limited_user(project: Project) -> Iterator[str]:
    """A database user that may hold LIMIT connections, allowed to read and write the posts."""
    user = f"{project.baked.app_name}_storm"
    drop_user(project, user)  # what an interrupted run left
    if project.database == "mysql":
        run_on(
            "mysql",
            None,
            f"CREATE USER '{user}'@'%' IDENTIFIED BY '{PASSWORD}' WITH MAX_USER_CONNECTIONS {LIMIT}",
            f"GRANT SELECT, INSERT ON {project.database_name}.* TO '{user}'@'%'",
        )
    else:
        run_on("postgresql", None, f"CREATE ROLE {user} LOGIN PASSWORD '{PASSWORD}' CONNECTION LIMIT {LIMIT}")
        run_on(
            "postgresql",
            project.database_name,
            f"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO {user}",
            f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {user}",
        )
    try:
        yield user
    finally:
        drop_user(project, user)


def connections_of(project: Project, user: str) -> int:
    with engine(project.database).connect() as connection:
        return connection.scalar(text(COUNT_CONNECTIONS[project.database]), {"user": user})


def test_16_processes_against_a_limit_of_4_get_503_leak_nothing_and_recover(
    project: Project, limited_user: str
) -> None:
    project.empty()
    code = WORKER.format(attempts=ATTEMPTS)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env=project.environment(DB_APP_USER=limited_user, DB_APP_PASS=PASSWORD, with_bench=True),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    try:
        storm = [json.loads(worker.stdout.readline()) for worker in workers]
        answers = [answer for attempts in storm for answer in attempts]
        refused = [answer for answer in answers if answer[0] == 503]
        holders = [attempts for attempts in storm if any(answer[0] == 201 for answer in attempts)]

        assert {answer[0] for answer in answers} == {201, 503}
        assert {(retry_after, body["error"]) for _, retry_after, body in refused} == {
            ("1", "database unavailable, try again shortly")
        }
        assert 1 <= len(holders) <= LIMIT
        assert connections_of(project, limited_user) == len(holders)  # a refused process keeps nothing

        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        after = [json.loads(worker.stdout.readline()) for worker in workers]
        assert [answer[0] for answer in after] == [201] * PROCESSES
    finally:
        for worker in workers:
            worker.stdin.close()
            worker.wait(timeout=60)
    assert [worker.returncode for worker in workers] == [0] * PROCESSES
    stored = project.scalar("SELECT COUNT(*) FROM posts")
    assert stored == len(answers) - len(refused) + PROCESSES
    deadline = time.monotonic() + 5
    while connections_of(project, limited_user) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert connections_of(project, limited_user) == 0
