"""Names become clean slugs, and any answer lands in every file exactly, without breaking it."""

import json
import re
import tomllib
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from samtranslator.yaml_helper import yaml_parse

from tests.baking import BIN, CHECKOUT, Baked, bake_interactively
from tests.servers import drop_databases


@pytest.mark.parametrize(
    ("project_name", "slug", "app_name"),
    [
        ("Bob's Blog", "bobs-blog", "bobs_blog"),
        ("Bob\u2019s Blog", "bobs-blog", "bobs_blog"),
        ("Café API", "cafe-api", "cafe_api"),
        ("my  api", "my-api", "my_api"),
        (
            "The Quite Extraordinarily Long Name Of A Service",
            "the-quite-extraordinarily-long-name-of-a",
            "the_quite_extraordinarily_long_name_of_a",
        ),
    ],
)
def test_everyday_names_give_valid_defaults(
    tmp_path: Path, project_name: str, slug: str, app_name: str
) -> None:
    baked = bake_interactively(tmp_path, project_name=project_name)  # Enter at the slug
    assert baked.path.name == slug
    database_yml = (baked.path / "config" / "database.yml").read_text()
    assert f"${{DB_NAME:-{app_name}_development}}" in database_yml


# Answers a user could type, one set per database; their database names are unique to this checkout.
TRICKY = {
    "mysql": {
        "project_name": f'Names Eleven Say "Hi" it\'s C:\\Temp: {CHECKOUT}',
        "description": 'A "quoted" app: it\'s C:\\Temp\\dir, key: value # not a comment',
        "author_name": 'Zoë "Z" O\'Brien \\',
        "aws_region": "eu-central-2",
    },
    "postgresql": {
        # pg_ starts names PostgreSQL reserves for its own roles: the app user is app_pg_eleven_...
        "project_name": f"PG Eleven {{{{ Café }}}} {{% if x %}} *😀* {CHECKOUT}",
        "description": "{{ cookiecutter.project_name }} {% raw %} *no emphasis* [no link](x) "
        "<b>&amp; 👨\u200d👩\u200d👧",
        "author_name": "José {{ Ñandú }} 🎉 <jose@example.com>",
        "aws_region": "ap-southeast-4",
    },
}


@pytest.fixture(scope="module", params=sorted(TRICKY))
def tricky(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Baked:
    """A project baked from tricky answers typed at the prompts."""
    database = request.param
    baked = bake_interactively(tmp_path_factory.mktemp("names"), database=database, **TRICKY[database])
    drop_databases(database, baked.app_name)
    return baked


def test_every_toml_yaml_json_and_python_file_parses(tricky: Baked) -> None:
    parsers = {
        ".toml": tomllib.loads,
        ".yaml": yaml_parse,  # with CloudFormation's !Ref and friends
        ".yml": yaml_parse,
        ".json": json.loads,
    }
    parsed = []
    for path in sorted(tricky.path.rglob("*")):
        if path.suffix in parsers:
            parsers[path.suffix](path.read_text(encoding="utf-8"))  # raises on a broken file
        elif path.suffix == ".py":
            compile(path.read_text(encoding="utf-8"), path, "exec")
        else:
            continue
        parsed.append(path.suffix)
    assert {".toml", ".yml", ".yaml", ".py"} <= set(parsed)


def test_answers_read_back_from_pyproject_samconfig_and_template(tricky: Baked) -> None:
    answers = tricky.context
    project = tomllib.loads((tricky.path / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["description"] == answers["description"]
    assert project["authors"] == [{"name": answers["author_name"]}]
    samconfig = tomllib.loads((tricky.path / "samconfig.toml").read_text(encoding="utf-8"))
    for environment in ("default", "production"):
        assert samconfig[environment]["global"]["parameters"]["region"] == answers["aws_region"]
    template = yaml_parse((tricky.path / "template.yaml").read_text(encoding="utf-8"))
    assert template["Description"].startswith(answers["project_name"] + ": an HTTP API on AWS Lambda")


def test_the_readme_renders_the_name_and_description_as_text(tricky: Baked) -> None:
    markdown = MarkdownIt("commonmark").enable(["strikethrough", "table"])
    tokens = markdown.parse((tricky.path / "README.md").read_text(encoding="utf-8"))[:6]
    assert [token.type for token in tokens] == [
        "heading_open",
        "inline",
        "heading_close",
        "paragraph_open",
        "inline",
        "paragraph_close",
    ]
    for inline, answer in ((tokens[1], "project_name"), (tokens[4], "description")):
        assert [child.type for child in inline.children] == ["text"], inline.content
        assert inline.children[0].content == tricky.context[answer]


@pytest.mark.slow  # the quick tier runs each database's generated suite once, in test_bake
def test_the_generated_suite_passes_against_the_real_server(tricky: Baked) -> None:
    result = tricky.run(BIN / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"\d+ passed", result.stdout.strip().splitlines()[-1])
