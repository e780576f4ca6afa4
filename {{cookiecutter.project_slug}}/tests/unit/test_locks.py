"""The lock files sam build installs agree with pyproject.toml, whose bounds they were compiled from.

After a change to pyproject.toml's dependencies, ``invoke deps.lock`` writes them again.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = Path(__file__).resolve().parent.parent.parent
# Each lock, and the extras of pyproject.toml it holds beside the dependencies.
LOCKS = {"requirements.txt": [], "requirements-migrate.txt": ["migrate"]}
# A pinned release and the hashes of its files, as uv writes them.
HASHED_RELEASE = re.compile(r"^([\w.-]+)==([^\s;]+).*\\\n(?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+", re.M)


def releases(lock: str) -> dict[str, str]:
    """The version of each release the lock pins, by name; every one must list its files' hashes."""
    text = (PROJECT / lock).read_text()
    found = {canonicalize_name(name): version for name, version in HASHED_RELEASE.findall(text)}
    assert len(found) == len(re.findall(r"^\S+==", text, re.M)), f"{lock} pins a release without hashes"
    return found


def bounds(*extras: str) -> list[Requirement]:
    """pyproject.toml's dependencies, and those of ``extras``."""
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


@pytest.mark.parametrize(("lock", "extras"), LOCKS.items())
def test_each_lock_pins_every_dependency_within_pyproject_s_bounds(lock: str, extras: list[str]) -> None:
    locked = releases(lock)
    for requirement in bounds(*extras):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{lock} lacks {requirement.name}: run invoke deps.lock"
        pinned = f"{name}=={locked[name]}"
        assert requirement.specifier.contains(locked[name]), f"{lock}: {pinned} is outside {requirement}"


def test_the_migrate_function_runs_the_api_function_s_releases() -> None:
    api, migrate = releases("requirements.txt"), releases("requirements-migrate.txt")
    assert {name: migrate.get(name) for name in api} == api
