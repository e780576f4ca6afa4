"""A baked project whose invoke tasks and test suite are run as a user runs them."""

import os
import subprocess
from pathlib import Path

from tests import servers
from tests.baking import BIN, Baked


class Project:
    """A baked project whose tasks are run as a user runs them: ``invoke db.migrate``."""

    def __init__(self, baked: Baked) -> None:
        self.baked = baked
        self.database = baked.context["database"]
        self.development = f"{baked.app_name}_development"
        self.test = f"{baked.app_name}_test"

    def environment(self, **env: str) -> dict[str, str]:
        """The user's environment, without database settings, plus ``env``."""
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith(("DB_", "APP_ENV"))
        }
        return environment | {
            "PYTHONPATH": str(self.baked.path),
            "PATH": f"{BIN}:{environment['PATH']}",
            **env,
        }

    def invoke(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return self.baked.run(BIN / "invoke", *args, env=self.environment(**env), timeout=120)

    def start(self, *command: str | Path, **env: str) -> subprocess.Popen[str]:
        """Start ``command`` in the project (``invoke`` unless it names another program), not waiting."""
        if not isinstance(command[0], Path):
            command = (BIN / "invoke", *command)
        return subprocess.Popen(
            command, cwd=self.baked.path, env=self.environment(**env), text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip

    def migrate_function(self, **env: str) -> subprocess.Popen[str]:
        """Start the migrate function's handler in a process of its own, as Lambda would run it."""
        code = "import json; from app.migrate import handler; print(json.dumps(handler({}, None)))"
        return self.start(BIN / "python", "-c", code, **env)

    def recorded(self, name: str) -> object:
        """The environment the database ``name`` records (app_internal_metadata)."""
        sql = "SELECT value FROM app_internal_metadata WHERE {} = 'environment'"
        return servers.scalar(self.database, name, sql.format("`key`" if self.database == "mysql" else "key"))

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

    def shipped(self) -> str:
        """The revisions the project was generated with, as db.status names them: ``<id> <name>, ...``."""
        files = sorted((self.baked.path / "migrations" / "versions").glob("*.py"))
        return ", ".join(path.stem.replace("_", " ", 1) for path in files)

    def write_revision(self, name: str, body: str) -> str:
        """Generate revision ``name`` with db.generate and give it ``body``; return its id."""
        self.ok("db.generate", name)
        path = self.revision_file(name)
        text = path.read_text()
        path.write_text(text[: text.index("def upgrade()")] + body)
        return path.name.split("_", 1)[0]

    def has_table(self, table: str) -> bool:
        return table in servers.tables(self.database, self.development)

    @property
    def app_user(self) -> dict[str, str]:
        """Production's app user on the test server: the test environment's (database.yml's defaults)."""
        name = self.baked.app_user
        return {"DB_APP_USER": name, "DB_APP_PASS": name}

    def url(self, name: str) -> str:
        """A DATABASE_URL, as Rails writes them, for the database ``name`` on the test server."""
        server = servers.SERVER_URLS[self.database]
        return server.split("+")[0] + "://" + server.split("://")[1].rsplit("/", 1)[0] + "/" + name

    def posts(self, name: str | None = None) -> object:
        return servers.scalar(self.database, name or self.development, "SELECT COUNT(*) FROM posts")

    def pytest(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """The baked project's own test suite, run as a user runs it."""
        command = [BIN / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
        return self.baked.run(*command, env=self.environment(**env), timeout=300)
