"""A rotated password costs no failed invocation, on servers that check passwords.

The PostgreSQL that serves the other tests trusts every local connection, so it cannot refuse a
password: this module starts a PostgreSQL of its own with scram-sha-256 authentication. MariaDB
checks passwords already: a user of the test's own does. Secrets Manager is moto's, in process.
"""

import json
import shutil
import socket
import subprocess
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from moto import mock_aws
from sqlalchemy import URL, create_engine, text
from sqlalchemy.pool import NullPool

from bench.project import Project
from tests.baking import TEMPLATE

pytestmark = pytest.mark.slow  # scripts/test --quick leaves this module out

REGION = "us-east-1"
SUPERUSER_PASSWORD = "superuser-secret"
USER = f"rotating_{zlib.crc32(str(TEMPLATE).encode()) % 10_000}"  # one per checkout
POSTGRES_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=None)  # Debian's layout


@dataclass
class PasswordServer:
    """A server that checks passwords, and a superuser's URL on it that can rotate the app user's."""

    port: int
    admin: URL

    @property
    def owner(self) -> str:
        """The database's owner, another user than the app user the API logs in as."""
        return self.admin.username

    def execute(self, *statements: str) -> None:
        engine = create_engine(self.admin, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
        engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def mariadb_user(project: Project) -> Iterator[PasswordServer]:
    """The shared MariaDB, with a user of this test's own on the project's test database."""
    server = PasswordServer(3306, URL.create("mysql+pymysql", "root", host="127.0.0.1", port=3306))
    server.execute(
        f"DROP USER IF EXISTS '{USER}'@'%'",
        f"CREATE USER '{USER}'@'%' IDENTIFIED BY 'before'",
        f"GRANT ALL ON `{project.database_name}`.* TO '{USER}'@'%'",
    )
    try:
        yield server
    finally:
        server.execute(f"DROP USER IF EXISTS '{USER}'@'%'")


@contextmanager
def postgresql_with_passwords(project: Project) -> Iterator[PasswordServer]:
    """A PostgreSQL cluster of its own, scram-sha-256 for every connection, the project migrated on it."""
    assert POSTGRES_BIN, "no PostgreSQL server binaries under /usr/lib/postgresql"
    folder = Path(tempfile.mkdtemp(prefix="rotation-"))
    shutil.chown(folder, "postgres")
    (folder / "pwfile").write_text(SUPERUSER_PASSWORD)
    port = free_port()

    def as_postgres(*command: str | Path) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *map(str, command)], check=True, capture_output=True
        )

    as_postgres(
        POSTGRES_BIN / "initdb",
        "-D",
        folder / "data",
        "-U",
        "postgres",
        "--auth=scram-sha-256",
        f"--pwfile={folder / 'pwfile'}",
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    as_postgres(
        POSTGRES_BIN / "pg_ctl", "-D", folder / "data", "-o", options, "-l", folder / "log", "-w", "start"
    )
    try:
        server = PasswordServer(
            port,
            URL.create("postgresql+psycopg2", "postgres", SUPERUSER_PASSWORD, "127.0.0.1", port, "postgres"),
        )
        server.execute(f"CREATE DATABASE {project.database_name}")
        owner = {"DB_USER": "postgres", "DB_PASS": SUPERUSER_PASSWORD}
        with project.using(port, **owner, DB_APP_USER=USER, DB_APP_PASS="before"):
            project.module("migrate").handler({}, None)  # creates the app user, with its password
        yield server
    finally:
        as_postgres(POSTGRES_BIN / "pg_ctl", "-D", folder / "data", "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


SERVERS = {"mysql": mariadb_user, "postgresql": postgresql_with_passwords}


def test_a_rotated_password_is_picked_up_with_no_failed_invocation(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DB_APP_PASS", raising=False)
    aws = project.module("aws")
    with SERVERS[project.database](project) as server, mock_aws():
        aws.client.cache_clear()
        secrets = aws.client("secretsmanager")
        arn = secrets.create_secret(Name="db", SecretString=json.dumps({"password": "before"}))["ARN"]
        production = {
            "APP_ENV": "production",
            "DB_HOST": "127.0.0.1",
            "DB_USER": server.owner,
            "DB_APP_USER": USER,  # whom the API logs in as
            "DB_NAME": project.database_name,
            "DB_APP_SECRET_ARN": arn,
            "DB_SSL": "false",
        }
        try:
            with project.using(server.port, **production):
                assert project.invoke("GET /posts") == (200, {"items": [], "next_cursor": None})

                server.execute(
                    {
                        "mysql": f"ALTER USER '{USER}'@'%' IDENTIFIED BY 'after'",
                        "postgresql": f"ALTER ROLE {USER} PASSWORD 'after'",
                    }[project.database]
                )
                secrets.put_secret_value(SecretId=arn, SecretString=json.dumps({"password": "after"}))
                project.module("db").current().engine.dispose()  # the next invocation connects anew

                assert project.invoke("GET /posts") == (200, {"items": [], "next_cursor": None})
                assert project.invoke("POST /posts", {"title": "after the rotation"})[0] == 201
        finally:
            aws.client.cache_clear()
