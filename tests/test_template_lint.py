"""The template's own code is held to the same linter as what it generates."""

import subprocess

from tests.baking import BIN, TEMPLATE


def test_template_code_is_ruff_clean() -> None:
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [BIN / "ruff", *command, "--no-cache", "."], cwd=TEMPLATE, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
