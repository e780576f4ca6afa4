"""The functions' locked dependencies: what invoke deps.lock writes, and what sam build accepts.

The generated project's own tests/test_locks.py checks the locks against pyproject.toml's bounds.
"""

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.baking import BIN, Baked, bake, combination_name, commit_all, git, offline_environment, sam_build


def test_this_virtualenv_satisfies_the_generated_project_s_bounds(baked: Baked) -> None:
    """requirements-dev.txt installs what baked projects run on: it must fit their pyproject.toml."""
    project = tomllib.loads((baked.path / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + [
        line for extra in project["optional-dependencies"].values() for line in extra
    ]
    outside = [
        f"{requirement} (installed: {installed})"
        for requirement in map(Requirement, lines)
        if requirement.name != baked.path.name  # the project's own extras
        for installed in [importlib.metadata.version(requirement.name)]
        if not requirement.specifier.contains(installed)
    ]
    assert outside == []


@pytest.mark.slow
def test_invoke_deps_lock_writes_the_locks_the_template_ships(tmp_path: Path) -> None:
    """It keeps the locked releases that fit the bounds (uv reads the lock it rewrites); asks PyPI."""
    baked = bake(tmp_path, project_name=combination_name("locks"))
    git("init", "-q", cwd=baked.path)
    commit_all(baked.path, "as generated")
    result = baked.run(BIN / "invoke", "deps.lock", env={**offline_environment(baked), "PYTHONPATH": "."})
    assert result.returncode == 0, result.stdout + result.stderr
    assert git("status", "--porcelain", cwd=baked.path) == ""


@pytest.mark.slow
def test_the_build_stops_when_a_downloaded_file_does_not_match_its_locked_hash(tmp_path: Path) -> None:
    baked = bake(tmp_path, project_name=combination_name("tampered"))
    lock = baked.path / "requirements.txt"
    release = re.compile(r"^typing-extensions==.*?(?=^\S)", re.M | re.S)  # a release and its hashes
    tampered = release.sub(lambda match: re.sub("[0-9a-f]{64}", "0" * 64, match[0]), lock.read_text())
    lock.write_text(tampered)
    result = sam_build(baked, "ApiFunction")
    assert result.returncode != 0
    assert "DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE" in result.stdout + result.stderr
    assert "typing-extensions" in result.stdout + result.stderr
