"""Every option combination bakes into a project that is complete, clean and working."""

import re
import tomllib

import yaml
from samtranslator.yaml_helper import yaml_parse

from tests.baking import BIN, Baked, runtime_python

JINJA = re.compile(r"(?<!\$)\{\{|\{%|\{#")  # ${{ }} is a GitHub Actions expression


def test_no_jinja_is_left_in_names_or_contents(baked: Baked) -> None:
    leftovers = []
    for path in baked.path.rglob("*"):
        text = path.read_text(errors="replace") if path.is_file() else ""
        if JINJA.search(path.name) or JINJA.search(text):
            leftovers.append(str(path))
    assert leftovers == []


# Words that only the other database's code would hold.
OTHER_DATABASE = {
    "mysql": re.compile(r"postgres|psycopg", re.IGNORECASE),
    "postgresql": re.compile(r"mysql|mariadb", re.IGNORECASE),
}


def test_the_python_holds_nothing_of_the_other_database(baked: Baked) -> None:
    other = OTHER_DATABASE[baked.context["database"]]
    mentions = [str(path) for path in sorted(baked.path.rglob("*.py")) if other.search(path.read_text())]
    assert mentions == []


def test_every_python_file_compiles_on_the_chosen_runtime(baked: Baked) -> None:
    python = runtime_python(baked.context["python_version"])
    result = baked.run(python, "-m", "compileall", "-q", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_passes(baked: Baked) -> None:
    check = baked.run(BIN / "ruff", "check", "--no-cache", ".")
    assert check.returncode == 0, check.stdout + check.stderr
    formatted = baked.run(BIN / "ruff", "format", "--no-cache", "--check", ".")
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_yaml_files_parse(baked: Baked) -> None:
    files = sorted(baked.path.rglob("*.yml")) + sorted(baked.path.rglob("*.yaml"))
    names = {path.name for path in files}
    assert names == {
        "database.yml",
        "template.yaml",
        "ci.yml",
        "deploy.yml",
        "github-oidc.yaml",
        "dependabot.yml",
    }
    for path in files:
        assert yaml_parse(path.read_text()), path  # YAML, with CloudFormation's !Ref and friends


def test_database_choice_shapes_settings_and_requirements(baked: Baked) -> None:
    database = baked.context["database"]
    settings = yaml.safe_load((baked.path / "config" / "database.yml").read_text())
    assert settings["development"]["adapter"] == database
    assert settings["development"]["database"] == f"${{DB_NAME:-{baked.app_name}_development}}"
    assert settings["test"]["database"] == f"${{DB_NAME_TEST:-{baked.app_name}_test}}"
    driver = "pymysql" if database == "mysql" else "psycopg2-binary"
    for lock in ("requirements.txt", "requirements-migrate.txt"):
        pinned = set(re.findall(r"^([\w.-]+)==", (baked.path / lock).read_text(), re.M))
        assert {"sqlalchemy", driver, "pyyaml", "aws-lambda-powertools", "pydantic"} <= pinned
        assert not {"pymysql", "psycopg2-binary", "boto3", "botocore"} - {driver} & pinned  # boto3: in Lambda
    assert sorted(path.name for path in baked.path.glob("requirements*")) == [
        "requirements-migrate.txt",
        "requirements.txt",
    ]  # the other database's locks are removed


def test_python_version_choice_reaches_pyproject(baked: Baked) -> None:
    version = baked.context["python_version"]
    pyproject = tomllib.loads((baked.path / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == f">={version}"
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + version.replace(".", "")


def test_the_generated_test_suite_passes_against_the_real_server(baked: Baked) -> None:
    """Its unit tests (tests/unit) run with the settings pointing at a port where nothing listens."""
    result = baked.run(BIN / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed in [\d.]+s( \(\d+:\d\d:\d\d\))?", summary), summary
