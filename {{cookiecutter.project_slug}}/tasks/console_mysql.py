"""The database's own command-line client, with the environment's settings."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from app.db.settings import DatabaseSettings
from app.errors import ConfigurationError

CLIENT = "mysql"
INSTALL_HINT = "install the MySQL or MariaDB client (e.g. apt-get install mariadb-client)"


def run_client(settings: DatabaseSettings) -> int:
    """Run mysql on the environment's database; the password goes through a private file."""
    _require(CLIENT)
    with tempfile.TemporaryDirectory() as private:
        options = Path(private) / "client.cnf"  # the directory is readable by its owner only
        options.write_text(f"[client]\npassword={_option_value(settings.password)}\n")
        command = [
            CLIENT,
            f"--defaults-extra-file={options}",
            f"--host={settings.host}",
            f"--port={settings.port}",
            f"--user={settings.username}",
            settings.database,
        ]
        return subprocess.run(command, check=False).returncode  # noqa: S603 (no shell; the arguments are settings)


def _option_value(value: str) -> str:
    """Quote a value for a MySQL option file."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _require(client: str) -> None:
    if shutil.which(client) is None:
        raise ConfigurationError(f"{client} is not on PATH: {INSTALL_HINT}")
