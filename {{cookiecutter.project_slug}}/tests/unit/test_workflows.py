"""The GitHub workflows and Dependabot's settings: GitHub's schemas, and zizmor's security audit.

Both tools work offline: check-jsonschema has the schemas built in, and ``zizmor --offline``
audits without calling GitHub's API (so it cannot check that a pinned commit is the tag its
comment names: Dependabot keeps the two together).
"""

import re
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent.parent
GITHUB = PROJECT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
SCRIPTS = Path(sys.executable).parent  # the virtualenv's tools
PINNED = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*")  # a full commit, and its tag


def run(tool: str, *arguments: str | Path) -> subprocess.CompletedProcess[str]:
    command = [SCRIPTS / tool, *arguments]
    return subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=False)


def test_the_workflows_and_dependabot_match_github_s_schemas() -> None:
    workflows = run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *WORKFLOWS)
    assert workflows.returncode == 0, workflows.stdout + workflows.stderr
    dependabot = run("check-jsonschema", "--builtin-schema", "vendor.dependabot", GITHUB / "dependabot.yml")
    assert dependabot.returncode == 0, dependabot.stdout + dependabot.stderr


def test_zizmor_finds_nothing_of_medium_severity_or_above() -> None:
    result = run("zizmor", "--offline", "--min-severity", "medium", GITHUB)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_action_is_pinned_to_a_commit_named_by_its_version() -> None:
    """zizmor requires the commit; the comment says which release it is (Dependabot updates both)."""
    for path in WORKFLOWS:
        for uses in re.findall(r"uses: (.+)", path.read_text()):
            if not uses.startswith("./"):  # a workflow of this repository
                assert PINNED.fullmatch(uses), f"{path.name}: {uses}"
