"""The database's own command-line client, with the environment's settings."""

import os
import shutil
import subprocess

from app.db.settings import DatabaseSettings
from app.errors import ConfigurationError

CLIENT = "psql"
INSTALL_HINT = "install the PostgreSQL client (e.g. apt-get install postgresql-client)"


def run_client(settings: DatabaseSettings) -> int:
    """Run psql on the environment's database; the password goes through PGPASSWORD."""
    _require(CLIENT)
    command = [
        CLIENT,
        f"--host={settings.host}",
        f"--port={settings.port}",
        f"--username={settings.username}",
        f"--dbname={settings.database}",
    ]
    environment = os.environ | {"PGPASSWORD": settings.password} if settings.password else None
    return subprocess.run(command, env=environment, check=False).returncode  # noqa: S603 (no shell)


def _require(client: str) -> None:
    if shutil.which(client) is None:
        raise ConfigurationError(f"{client} is not on PATH: {INSTALL_HINT}")
