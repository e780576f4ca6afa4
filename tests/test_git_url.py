"""Baking from a git URL, as `cookiecutter gh:org/cookiecutter-lambda-rds` does, hooks included."""

from pathlib import Path

import pytest

from tests.baking import template_repository
from tests.test_hooks import cookiecutter_cli


@pytest.mark.slow  # a clone of the template: how it is published, not what it makes
def test_bake_from_a_git_url(tmp_path: Path) -> None:
    repo = template_repository(tmp_path / "cookiecutter-lambda-rds")
    config = tmp_path / "cookiecutter.yaml"
    config.write_text(f"cookiecutters_dir: {tmp_path / 'clones'}\nreplay_dir: {tmp_path / 'replay'}\n")
    url = f"git+file://{repo}"

    good = cookiecutter_cli(tmp_path / "out", "--config-file", str(config), template=url)
    bad = cookiecutter_cli(
        tmp_path / "bad", "--config-file", str(config), "project_name=9 Lives", template=url
    )

    assert good.returncode == 0, good.stderr
    assert "Next steps:" in good.stdout  # the post-generation hook ran
    assert (tmp_path / "out" / "blog-api" / "config" / "database.yml").is_file()
    assert bad.returncode != 0
    assert "ERROR: project_slug '9-lives' is not a valid slug" in bad.stderr  # so did the pre-generation hook
    assert not (tmp_path / "bad" / "blog-api").exists()
