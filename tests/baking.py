"""Bake the template, as a user would, into temporary directories."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
OPTIONS = json.loads((TEMPLATE / "cookiecutter.json").read_text())
DATABASES: list[str] = OPTIONS["database"]
PYTHON_VERSIONS: list[str] = OPTIONS["python_version"]
ARCHITECTURES: list[str] = OPTIONS["architecture"]
# The options that change what is generated, in the order of cookiecutter.json.
CHOICES = {
    "database": DATABASES,
    "python_version": PYTHON_VERSIONS,
    "architecture": ARCHITECTURES,
    "dynamodb": OPTIONS["dynamodb"],
}
# Options ["no", "yes"] that add a feature: baked on for each database, the other options at their
# defaults, rather than with every combination of the others.
FEATURES = ["dynamodb"]
DEFAULT_CHOICES = {name: values[0] for name, values in CHOICES.items()}
# What cookiecutter asks, in order: the variables whose names do not start with an underscore.
PROMPTED = [name for name in OPTIONS if not name.startswith("_")]
BIN = Path(sys.executable).parent
# A number unique to this checkout, in project names: their databases then never collide with those
# of another checkout testing at the same time.
CHECKOUT = zlib.crc32(str(TEMPLATE).encode()) % 10_000
# The revisions the template ships, oldest first (their file names start with their ids).
VERSIONS = TEMPLATE / "{{cookiecutter.project_slug}}" / "migrations" / "versions"
REVISIONS = sorted({path.name.split("_", 1)[0] for path in VERSIONS.glob("*.py")})
HEAD = REVISIONS[-1]
# What sam build ships as the RDS CA bundle in the tests, which cannot reach AWS: any PEM bundle
# will do (this one comes with botocore).
STAND_IN_CA_BUNDLE = Path(importlib.util.find_spec("botocore").origin).parent / "cacert.pem"


@dataclass(frozen=True)
class Baked:
    """A generated project and the answers that made it."""

    path: Path
    context: dict[str, str]

    @property
    def app_name(self) -> str:
        """The start of the project's database names (``<app_name>_development`` ...)."""
        return self.path.name.replace("-", "_")

    @property
    def app_user(self) -> str:
        """Whom the API logs in as, by database.yml's default: PostgreSQL reserves names starting with pg_."""
        name = self.app_name[:28]
        return f"app_{name}" if name.startswith("pg_") else f"{name}_app"

    def run(self, *command: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        """Run a command in the project; its output is returned, failures are not raised."""
        return subprocess.run(
            [str(part) for part in command], cwd=self.path, capture_output=True, text=True, **kwargs
        )


def runtime_python(version: str) -> Path:
    """The interpreter of a Lambda runtime version (pyenv's, or pythonX.Y on PATH)."""
    pyenv_versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"), "versions")
    installed = sorted(pyenv_versions.glob(f"{version}.*"))
    if installed:
        return installed[-1] / "bin" / f"python{version}"
    found = shutil.which(f"python{version}")
    assert found, f"no Python {version}: install it (pyenv install {version}) to test that runtime"
    return Path(found)


def offline_environment(baked: Baked) -> dict[str, str]:
    """No AWS credentials, no telemetry, and the runtime's Python first on PATH (sam build uses it).

    The build's CA bundle is STAND_IN_CA_BUNDLE, AWS's being out of reach.
    """
    python = runtime_python(baked.context["python_version"]).parent
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    return environment | {
        "SAM_CLI_TELEMETRY": "0",
        "AWS_EC2_METADATA_DISABLED": "true",
        "PATH": f"{python}{os.pathsep}{BIN}{os.pathsep}{environment['PATH']}",
        "RDS_CA_BUNDLE_URLS": STAND_IN_CA_BUNDLE.as_uri(),
    }


def built_functions(baked: Baked) -> Path:
    """Where ``sam_build`` puts the functions: beside the project, which stays as it was generated."""
    return baked.path.with_name(baked.path.name + "-sam-build")


def sam_build(baked: Baked, *functions: str) -> subprocess.CompletedProcess[str]:
    """``sam build`` of the baked project (or of ``functions``), offline and without a container."""
    command = [BIN / "sam", "build", *functions, "--build-in-source", "--build-dir", built_functions(baked)]
    return baked.run(*command, env=offline_environment(baked), timeout=600)


def bake(output_dir: Path, **context: str) -> Baked:
    """Generate a project from the working tree of the template, without prompting."""
    path = cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(output_dir), extra_context=context)
    return Baked(Path(path), DEFAULT_CHOICES | context)


def answer_prompts(output_dir: Path, **answers: str) -> subprocess.CompletedProcess[str]:
    """Run cookiecutter as a user who types ``answers`` at its prompts and Enter at the others.

    Typed answers are taken as they are, braces included (``--no-input key=value`` values are
    rendered as Jinja first). A choice is answered with its number.
    """
    lines = []
    for name in PROMPTED:
        answer = answers.get(name, "")
        if answer and isinstance(OPTIONS[name], list):
            answer = str(OPTIONS[name].index(answer) + 1)
        lines.append(answer)
    return subprocess.run(
        [BIN / "cookiecutter", "-o", output_dir, TEMPLATE],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=os.environ | {"PYTHONUTF8": "1"},
        timeout=120,
    )


def bake_interactively(output_dir: Path, **answers: str) -> Baked:
    """Generate a project into the empty ``output_dir`` by answering the prompts (see ``answer_prompts``)."""
    result = answer_prompts(output_dir, **answers)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    (path,) = output_dir.iterdir()
    return Baked(path, DEFAULT_CHOICES | answers)


def combination_name(*choices: str) -> str:
    """A project name unique to the combination of choices and to this checkout."""
    return " ".join(["Bake", *(choice.replace(".", "") for choice in choices), str(CHECKOUT)])


def git(*args: str, cwd: Path) -> str:
    """Run git in ``cwd`` as a throwaway user; its output is returned, a failure raised."""
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout


def template_repository(path: Path) -> Path:
    """A git repository at ``path`` holding the template's working tree in one commit, as published."""
    ignored = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".*_cache", "out")
    shutil.copytree(TEMPLATE, path, ignore=ignored)
    git("init", "-q", cwd=path)
    commit_all(path, "template")
    return path


def commit_all(path: Path, message: str) -> str:
    """Commit everything in the repository at ``path``; return the commit's id."""
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", message, cwd=path)
    return git("rev-parse", "HEAD", cwd=path).strip()
