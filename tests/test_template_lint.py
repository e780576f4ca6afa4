"""The template's own code is held to the same linter as what it generates."""

import subprocess

from tests.baking import BIN, TEMPLATE

# Named one by one: ruff would otherwise read the Jinja in {{cookiecutter.project_slug}}/pyproject.toml.
TEMPLATE_CODE = ["bench", "hooks", "local_extensions.py", "tests"]


def test_template_code_is_ruff_clean() -> None:
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [BIN / "ruff", *command, "--no-cache", *TEMPLATE_CODE],
            cwd=TEMPLATE,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
