"""Bad names are refused with one clear line, leaving nothing behind; good ones get next steps."""

import contextlib
import importlib.metadata
import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.baking import BIN, DATABASES, TEMPLATE, bake


def cookiecutter_cli(
    output_dir: Path, *answers: str, template: str = str(TEMPLATE)
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "cookiecutter", "--no-input", "-o", output_dir, template, *answers],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (
            ["project_name=9 Lives"],
            "project_slug '9-lives' is not a valid slug: use lowercase letters, digits and single dashes, "
            "starting with a letter (e.g. 'blog-api')",
        ),
        (
            ["project_slug=Blog_API"],
            "project_slug 'Blog_API' is not a valid slug: use lowercase letters, digits and single dashes, "
            "starting with a letter (e.g. 'blog-api')",
        ),
        (
            ['project_slug=say-"hi"'],
            "project_slug 'say-\"hi\"' is not a valid slug: use lowercase letters, digits and single dashes, "
            "starting with a letter (e.g. 'blog-api')",
        ),
        (
            ["package_name=blog-api"],
            "package_name 'blog-api' is not a Python identifier: use lowercase letters, digits and "
            "underscores, starting with a letter (e.g. 'blog_api')",
        ),
        (
            ["project_name=Class"],
            "package_name 'class' is a Python keyword: choose another project name, or set package_name "
            "(e.g. package_name=class_app)",
        ),
        (
            ["package_name=" + "a" * 41],
            f"package_name '{'a' * 41}' is 41 characters long: use at most 40, so that database names "
            "fit MySQL's and PostgreSQL's limits",
        ),
        (
            ["project_name=JSON"],
            "package_name 'json' shadows the standard-library module of the same name: choose another "
            "project name, or set package_name (e.g. package_name=json_app)",
        ),
        (
            ["project_name=Test"],
            "package_name 'test' shadows the standard-library module of the same name: choose another "
            "project name, or set package_name (e.g. package_name=test_app)",
        ),
        (
            ["project_name=SQLAlchemy"],
            "package_name 'sqlalchemy' shadows a module or folder of the generated project: choose another "
            "project name, or set package_name (e.g. package_name=sqlalchemy_app)",
        ),
        (
            ["description=one\ttwo"],
            "description 'one\\ttwo' contains a line break or control character: write it on one line",
        ),
        (
            ["aws_region=Frankfurt"],
            "aws_region 'Frankfurt' is not an AWS region code: use one such as 'us-east-1'",
        ),
    ],
)
def test_bad_names_are_refused_with_one_line(tmp_path: Path, answers: list[str], message: str) -> None:
    result = cookiecutter_cli(tmp_path, *answers)
    assert result.returncode != 0
    assert f"ERROR: {message}\n" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_good_bake_prints_the_next_steps(tmp_path: Path) -> None:
    result = cookiecutter_cli(tmp_path, "project_name=Next Steps")
    assert result.returncode == 0, result.stderr
    assert "  cd next-steps\n" in result.stdout
    assert "  invoke db.setup" in result.stdout
    assert (tmp_path / "next-steps" / "next_steps" / "handlers" / "posts.py").is_file()


def installed_modules(requirements: list[str]) -> set[str]:
    """The top-level modules of these distributions and of all they require, as installed here."""
    distributions: set[str] = set()
    pending = [Requirement(requirement) for requirement in requirements]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in distributions or (requirement.marker and not requirement.marker.evaluate({"extra": ""})):
            continue
        distributions.add(name)
        pending += [Requirement(line) for line in importlib.metadata.requires(name) or []]
    return {
        module
        for module, providers in importlib.metadata.packages_distributions().items()
        if distributions & {canonicalize_name(provider) for provider in providers}
    }


def test_every_module_and_folder_of_the_project_is_refused_as_a_package_name(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    taken: set[str] = set()
    for database in DATABASES:
        baked = bake(tmp_path / database, database=database)
        project = tomllib.loads((baked.path / "pyproject.toml").read_text())["project"]
        taken |= installed_modules(project["dependencies"] + project["optional-dependencies"]["dev"])
        taken |= {path.name for path in baked.path.iterdir() if path.is_dir() and path.name != baked.package}
    names = sorted(name for name in taken if re.fullmatch(r"[a-z][a-z0-9_]*", name))  # what slugify can give
    assert {"sqlalchemy", "pymysql", "psycopg2", "yaml", "botocore", "urllib3", "tasks", "tests"} <= set(
        names
    )
    accepted = []
    for name in names:
        with contextlib.suppress(FailedHookException):  # a name accepted bakes a project instead
            bake(tmp_path / name, package_name=name)
        if f"ERROR: package_name {name!r} shadows a module or folder of the generated project" not in (
            capfd.readouterr().err
        ):
            accepted.append(name)
    assert accepted == []


def test_a_refused_bake_leaves_its_answers_for_replay(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"replay_dir: {tmp_path / 'replay'}\n")
    refused = cookiecutter_cli(tmp_path / "refused", "project_name=Test", "--config-file", str(config))
    assert "ERROR: package_name 'test' shadows" in refused.stderr
    (replay,) = (tmp_path / "replay").iterdir()  # cookiecutter writes it before the hooks run
    answers = json.loads(replay.read_text())
    assert answers["cookiecutter"]["package_name"] == "test"
    answers["cookiecutter"]["package_name"] = "test_app"  # the fix the README gives
    replay.write_text(json.dumps(answers))
    result = subprocess.run(
        [BIN / "cookiecutter", "--replay-file", replay, "-o", tmp_path / "fixed", TEMPLATE],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "fixed" / "test" / "test_app" / "handlers" / "posts.py").is_file()


def test_the_hook_line_is_all_of_stderr_and_cookiecutter_adds_a_traceback_on_stdout(tmp_path: Path) -> None:
    """What the README says a refused name prints: cookiecutter's own lines cannot be silenced."""
    result = cookiecutter_cli(tmp_path, "project_name=Class")
    assert result.stderr == (
        "ERROR: package_name 'class' is a Python keyword: choose another project name, "
        "or set package_name (e.g. package_name=class_app)\n"
    )
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "ERROR: Stopping generation because pre_gen_project hook script didn't exit successfully",
        "Traceback (most recent call last):",
    ]
    assert lines[-1] == "Hook script failed (exit status: 1)"
    assert result.returncode == 1
