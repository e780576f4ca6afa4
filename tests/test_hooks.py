"""Bad names are refused with one clear line, leaving nothing behind; good ones get next steps."""

import json
import os
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
            ['project_slug=say-"hi"'],
            "project_slug 'say-\"hi\"' is not a valid slug: use lowercase letters, digits and single dashes, "
            "starting with a letter (e.g. 'blog-api')",
        ),
        (
            ["project_slug=" + "a" * 41],
            f"project_slug '{'a' * 41}' is 41 characters long: use at most 40, so that database names "
            "fit MySQL's and PostgreSQL's limits",
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
    assert (tmp_path / "next-steps" / "app" / "routes" / "posts.py").is_file()


def test_the_next_steps_put_the_project_under_git_without_what_it_ignores(tmp_path: Path) -> None:
    """The git steps run as printed, in order, in the new folder (the others need servers or AWS)."""
    result = cookiecutter_cli(tmp_path, "project_name=Next Steps")
    steps = [
        line.split("#")[0].strip() for line in result.stdout.split("Next steps:\n")[1].strip().splitlines()
    ]
    assert steps[0] == "cd next-steps"
    project = tmp_path / "next-steps"
    (project / ".venv").mkdir()  # as the venv step makes it
    (project / ".venv" / "pyvenv.cfg").write_text("")
    author = {"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.com"}
    author |= {"GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.com"}
    for step in [step for step in steps if step.startswith("git ")][:-2]:  # not the remote and the push
        run = subprocess.run(
            step, shell=True, cwd=project, env=os.environ | author, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
    tracked = subprocess.run(["git", "ls-files"], cwd=project, capture_output=True, text=True).stdout.split()
    assert "app/routes/posts.py" in tracked and "template.yaml" in tracked
    assert not [path for path in tracked if path.startswith(".venv/")]
    assert steps[-2:] == [
        "git remote add origin git@github.com:OWNER/next-steps.git",
        "git push -u origin main",
    ]


def replayed(replay: Path, output_dir: Path) -> subprocess.CompletedProcess[str]:
    """``cookiecutter --replay-file``: a bake from the answers of an earlier one."""
    return subprocess.run(
        [BIN / "cookiecutter", "--replay-file", replay, "-o", output_dir, TEMPLATE],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_refused_bake_leaves_its_answers_for_replay(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"replay_dir: {tmp_path / 'replay'}\n")
    refused = cookiecutter_cli(tmp_path / "refused", "project_name=9 Lives", "--config-file", str(config))
    assert "ERROR: project_slug '9-lives' is not a valid slug" in refused.stderr
    (replay,) = (tmp_path / "replay").iterdir()  # cookiecutter writes it before the hooks run
    answers = json.loads(replay.read_text())
    assert answers["cookiecutter"]["project_slug"] == "9-lives"
    answers["cookiecutter"]["project_slug"] = "nine-lives"  # the fix the README gives
    replay.write_text(json.dumps(answers))
    half_fixed = replayed(replay, tmp_path / "half")
    assert half_fixed.stderr == (
        "ERROR: __app_name '9_lives' does not follow project_slug 'nine-lives': "
        "set it to 'nine_lives' (a replay file holds both)\n"
    )
    answers["cookiecutter"]["__app_name"] = "nine_lives"
    replay.write_text(json.dumps(answers))
    result = replayed(replay, tmp_path / "fixed")
    assert result.returncode == 0, result.stderr
    database_yml = (tmp_path / "fixed" / "nine-lives" / "config" / "database.yml").read_text()
    assert "${DB_NAME:-nine_lives_development}" in database_yml


def test_the_hook_line_is_all_of_stderr_and_cookiecutter_adds_a_traceback_on_stdout(tmp_path: Path) -> None:
    """What the README says a refused name prints: cookiecutter's own lines cannot be silenced."""
    result = cookiecutter_cli(tmp_path, "project_name=9 Lives")
    assert result.stderr == (
        "ERROR: project_slug '9-lives' is not a valid slug: use lowercase letters, digits and single "
        "dashes, starting with a letter (e.g. 'blog-api')\n"
    )
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "ERROR: Stopping generation because pre_gen_project hook script didn't exit successfully",
        "Traceback (most recent call last):",
    ]
    assert lines[-1] == "Hook script failed (exit status: 1)"
    assert result.returncode == 1
