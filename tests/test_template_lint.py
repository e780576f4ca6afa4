"""The template's own code is held to the same linter as what it generates."""

import re
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


def test_no_generated_python_file_holds_jinja() -> None:
    """The project's Python reads, lints and type-checks as Python before any bake."""
    sources = sorted((TEMPLATE / "{{cookiecutter.project_slug}}").rglob("*.py"))
    assert len(sources) > 50
    templated = [str(path) for path in sources if re.search(r"\{\{|\{%|\{#", path.read_text())]
    assert templated == []
