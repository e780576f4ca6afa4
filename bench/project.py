"""A project baked from the template for one database, importable, with its database migrated."""

import importlib
import json
import os
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.events import CONTEXT, http_event
from tests.baking import TEMPLATE, Baked, bake
from tests.servers import drop_databases, engine

SERVER_PORTS = {"mysql": 3306, "postgresql": 5432}
COUNT_CONNECTIONS = {
    "mysql": "SELECT COUNT(*) FROM information_schema.processlist WHERE db = :name",
    "postgresql": "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = :name",
}


def checkout_name(purpose: str, database: str) -> str:
    """A project name unique to this checkout, so its databases never meet another checkout's."""
    return f"{purpose} {database} {zlib.crc32(str(TEMPLATE).encode()) % 10_000}"


@dataclass
class Project:
    """A baked project whose package this process can import, on its real server."""

    database: str
    baked: Baked

    @property
    def database_name(self) -> str:
        """The database the bench and the fault tests use: the project's test database."""
        return f"{self.baked.app_name}_test"

    @property
    def server_port(self) -> int:
        return SERVER_PORTS[self.database]

    def module(self, name: str) -> ModuleType:
        """Import ``app.<name>`` from this baked project.

        Every project's package is ``app``: the first use of another project here forgets the
        ``app`` modules imported so far and puts this project first on ``sys.path``.
        """
        loaded = sys.modules.get("app")
        if loaded is None or not Path(loaded.__file__ or "").is_relative_to(self.baked.path):
            for imported in [module for module in sys.modules if module.split(".")[0] == "app"]:
                del sys.modules[imported]
            if str(self.baked.path) in sys.path:
                sys.path.remove(str(self.baked.path))
            sys.path.insert(0, str(self.baked.path))
        return importlib.import_module(f"app.{name}")

    def settings_variables(self, port: int | None = None, **extra: str) -> dict[str, str]:
        """Variables that point the project's test environment at ``port`` (the server's by default)."""
        return {"APP_ENV": "test", "DB_PORT": str(port or self.server_port), **extra}

    def environment(self, port: int | None = None, with_bench: bool = False, **extra: str) -> dict[str, str]:
        """The environment of a process that imports the project (and ``bench`` too) and talks to ``port``."""
        path = os.pathsep.join([str(self.baked.path), *([str(TEMPLATE)] if with_bench else [])])
        return {**os.environ, **self.settings_variables(port, **extra), "PYTHONPATH": path}

    @contextmanager
    def using(self, port: int | None = None, **extra: str) -> Iterator[None]:
        """Point this process's copy of the project at ``port``, started afresh, then restore."""
        variables = self.settings_variables(port, **extra)
        saved = {name: os.environ.get(name) for name in variables}
        os.environ.update(variables)
        self.module("db").reset()
        try:
            yield
        finally:
            self.module("db").reset()
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def invoke(self, route: str, body: dict | None = None, **path: str) -> tuple[int, dict]:
        """Call the API function's handler as API Gateway would; its status and decoded body."""
        response = self.module("main").handler(http_event(route, body, **path), CONTEXT)
        return response["statusCode"], json.loads(response["body"])

    def server_connections(self) -> int:
        """How many connections the server has open to the project's database."""
        from sqlalchemy import text

        with engine(self.database).connect() as connection:
            return connection.scalar(text(COUNT_CONNECTIONS[self.database]), {"name": self.database_name})

    def scalar(self, sql: str, **params: Any) -> Any:
        """One value from the project's database, read on a connection of its own."""
        from sqlalchemy import text

        with engine(self.database, self.database_name).connect() as connection:
            return connection.scalar(text(sql), params)

    def empty(self) -> None:
        """Delete every post."""
        from sqlalchemy import text

        with engine(self.database, self.database_name).begin() as connection:
            connection.execute(text("DELETE FROM posts"))


def prepare(database: str, output_dir: Path, purpose: str, **options: str) -> Project:
    """Bake with the defaults but ``database`` and ``options``; create and migrate its test database."""
    baked = bake(output_dir, project_name=checkout_name(purpose, database), database=database, **options)
    drop_databases(database, baked.app_name)
    project = Project(database, baked)
    with project.using():
        project.module("migrate").handler({}, None)  # as the migrate function: create, then migrate
    return project
