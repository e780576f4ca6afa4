"""The database's own command-line client, with the environment's settings."""

{% if cookiecutter.database == "mysql" -%}
import shutil
import subprocess
import tempfile
from pathlib import Path
{%- else -%}
import os
import shutil
import subprocess
{%- endif %}

from {{ cookiecutter.package_name }}.db.settings import DatabaseSettings
from {{ cookiecutter.package_name }}.errors import ConfigurationError
{%- if cookiecutter.database == "mysql" %}

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
        return subprocess.run(command, check=False).returncode


def _option_value(value: str) -> str:
    """Quote a value for a MySQL option file."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
{%- else %}

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
    return subprocess.run(command, env=environment, check=False).returncode
{%- endif %}


def _require(client: str) -> None:
    if shutil.which(client) is None:
        raise ConfigurationError(f"{client} is not on PATH: {INSTALL_HINT}")
