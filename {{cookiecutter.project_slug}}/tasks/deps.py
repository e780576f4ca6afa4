"""Lock the functions' dependencies: invoke deps.lock.

pyproject.toml holds each dependency's bounds; the lock files hold the releases within them that
sam build installs (``pip install --require-hashes``, see the Makefile), with the hash of every
file of each release. uv resolves for the runtime's Python on every platform at once
(``--universal``), whatever machine runs it, so one lock serves x86_64 and arm64 alike.
"""

import shlex
import sys
import tomllib
from pathlib import Path

from invoke import Context, task

PROJECT = Path(__file__).resolve().parent.parent
# Each lock file, and what it holds beside pyproject.toml's dependencies.
LOCKS = {
    "requirements.txt": [],  # the API function
    # The migrate function: the API function's releases (the constraint), and Alembic.
    "requirements-migrate.txt": ["--extra", "migrate", "--constraint", "requirements.txt"],
}


def runtime_version() -> str:
    """The Lambda runtime's Python version: pyproject.toml's requires-python (">=3.13")."""
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    return project["requires-python"].removeprefix(">=")


@task(help={"upgrade": "take the newest releases the bounds allow (default: keep the locked ones)"})
def lock(c: Context, upgrade: bool = False) -> None:
    """Compile pyproject.toml's dependencies into requirements.txt and requirements-migrate.txt, hashed."""
    for path, extras in LOCKS.items():
        command = [
            sys.executable, "-m", "uv", "pip", "compile", "pyproject.toml", *extras,
            "--universal", "--python-version", runtime_version(), "--generate-hashes",
            "--no-annotate", "--custom-compile-command", "invoke deps.lock",
            "--quiet", "--output-file", path, *(["--upgrade"] if upgrade else []),
        ]  # fmt: skip
        with c.cd(PROJECT):
            c.run(shlex.join(command), echo=True)
