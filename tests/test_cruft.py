"""A project generated with cruft records its template and answers, and takes the template's updates.

The template is served from a ``file://`` git repository, as it would be from GitHub.
"""

import json
import subprocess
from pathlib import Path

import pytest

from tests.baking import BIN, combination_name, commit_all, git, template_repository
from tests.test_hooks import cookiecutter_cli

pytestmark = pytest.mark.slow  # scripts/test --quick leaves this module out

TEMPLATE_LINE = "This line came with an update of the template."
USER_NOTES = "\n## Our notes\n\nWritten in the project: an update of the template keeps them.\n"


def cruft(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BIN / "cruft", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def cookiecutter_config(tmp_path: Path) -> Path:
    """A cookiecutter configuration that keeps its clones and replay files in ``tmp_path``."""
    config = tmp_path / "cookiecutter.yaml"
    config.write_text(f"cookiecutters_dir: {tmp_path / 'clones'}\nreplay_dir: {tmp_path / 'replay'}\n")
    return config


def created(tmp_path: Path, repo: Path, **answers: str) -> subprocess.CompletedProcess[str]:
    """``cruft create --no-input`` of the template in ``repo`` into tmp_path/out."""
    return cruft(
        "create", "--no-input", "--config-file", str(cookiecutter_config(tmp_path)),
        "--output-dir", str(tmp_path / "out"), "--extra-context", json.dumps(answers), f"file://{repo}",
        cwd=tmp_path,
    )  # fmt: skip


def record(project: Path) -> dict:
    """What cruft recorded in the project: the template, its commit, and the answers."""
    return json.loads((project / ".cruft.json").read_text())


def under_git(project: Path) -> None:
    """Make the project a git repository with everything committed, as cruft update needs."""
    git("init", "-q", cwd=project)
    commit_all(project, "generated")


def test_cruft_create_records_the_template_and_update_brings_a_template_change(tmp_path: Path) -> None:
    repo = template_repository(tmp_path / "cookiecutter-lambda-rds")
    name = combination_name("cruft")
    result = created(tmp_path, repo, project_name=name, database="postgresql")
    assert result.returncode == 0, result.stderr
    assert "Next steps:" in result.stdout  # the post-generation hook ran
    project = tmp_path / "out" / name.lower().replace(" ", "-")
    assert record(project)["commit"] == git("rev-parse", "HEAD", cwd=repo).strip()
    answers = record(project)["context"]["cookiecutter"]
    assert (answers["project_name"], answers["database"]) == (name, "postgresql")
    readme = project / "README.md"
    readme.write_text(readme.read_text() + USER_NOTES)
    under_git(project)

    generated_readme = repo / "{{cookiecutter.project_slug}}" / "README.md"
    generated_readme.write_text(generated_readme.read_text().replace("\n", f"\n\n{TEMPLATE_LINE}\n", 1))
    (repo / "{{cookiecutter.project_slug}}" / "CHANGELOG.md").write_text(
        "# {{ cookiecutter.project_name }}: changes\n"
    )
    second = commit_all(repo, "the template improves")
    assert cruft("check", cwd=project).returncode == 1  # out of date

    update = cruft("update", "--skip-apply-ask", cwd=project)
    assert update.returncode == 0, update.stdout + update.stderr
    lines = readme.read_text().splitlines()
    assert lines[:3] == [f"# {name}", "", TEMPLATE_LINE]
    assert readme.read_text().endswith(USER_NOTES)
    assert (project / "CHANGELOG.md").read_text() == f"# {name}: changes\n"
    assert record(project)["commit"] == second
    check = cruft("check", cwd=project)
    assert check.returncode == 0, check.stdout + check.stderr


def test_cruft_create_runs_the_hooks_without_prompting(tmp_path: Path) -> None:
    repo = template_repository(tmp_path / "cookiecutter-lambda-rds")
    refused = created(tmp_path, repo, project_name="9 Lives")
    assert refused.returncode != 0
    assert "ERROR: project_slug '9-lives' is not a valid slug" in refused.stderr
    assert not (tmp_path / "out" / "9-lives").exists()


def test_a_project_baked_by_cookiecutter_is_linked_with_its_replayed_answers(tmp_path: Path) -> None:
    """The README's way for a project generated with plain cookiecutter."""
    repo = template_repository(tmp_path / "cookiecutter-lambda-rds")
    config = cookiecutter_config(tmp_path)
    name = combination_name("linked")
    baked = cookiecutter_cli(
        tmp_path, "--config-file", str(config), f"project_name={name}", "database=postgresql",
        template=f"git+file://{repo}",
    )  # fmt: skip
    assert baked.returncode == 0, baked.stderr
    project = tmp_path / name.lower().replace(" ", "-")
    under_git(project)
    replayed = json.loads((tmp_path / "replay" / "cookiecutter-lambda-rds.json").read_text())["cookiecutter"]

    url = f"file://{repo}"
    linked = cruft("link", "--no-input", "--extra-context", json.dumps(replayed), url, cwd=project)
    assert linked.returncode == 0, linked.stdout + linked.stderr
    assert record(project)["context"]["cookiecutter"]["database"] == "postgresql"
    same = cruft("diff", "--exit-code", cwd=project)  # the project is what the template makes of the answers
    assert same.returncode == 0, same.stdout + same.stderr
