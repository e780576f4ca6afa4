"""Bad names are refused with one clear line, leaving nothing behind; good ones get next steps."""

import subprocess
from pathlib import Path

import pytest

from tests.baking import BIN, TEMPLATE


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
            ["package_name=blog-api"],
            "package_name 'blog-api' is not a Python identifier: use lowercase letters, digits and "
            "underscores, starting with a letter (e.g. 'blog_api')",
        ),
        (["project_name=Class"], "package_name 'class' is a Python keyword: choose another name"),
        (
            ["package_name=" + "a" * 41],
            f"package_name '{'a' * 41}' is 41 characters long: use at most 40, so that database names "
            "fit MySQL's and PostgreSQL's limits",
        ),
        (
            ["project_name=JSON"],
            "package_name 'json' shadows the standard-library module of the same name: choose another name",
        ),
        (
            ["project_name=SQLAlchemy"],
            "package_name 'sqlalchemy' shadows a module the project depends on: choose another name",
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


def test_the_hook_line_is_all_of_stderr_and_cookiecutter_adds_a_traceback_on_stdout(tmp_path: Path) -> None:
    """What the README says a refused name prints: cookiecutter's own lines cannot be silenced."""
    result = cookiecutter_cli(tmp_path, "project_name=Class")
    assert result.stderr == "ERROR: package_name 'class' is a Python keyword: choose another name\n"
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "ERROR: Stopping generation because pre_gen_project hook script didn't exit successfully",
        "Traceback (most recent call last):",
    ]
    assert lines[-1] == "Hook script failed (exit status: 1)"
    assert result.returncode == 1
