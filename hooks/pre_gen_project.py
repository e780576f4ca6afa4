"""Refuse answers that would produce a broken project, before anything is written.

Each failure is one line that names the value, the rule and the fix; cookiecutter then removes
the half-made project directory, logs its own "Stopping generation" traceback and exits non-zero.
The defaults that cookiecutter.json derives with slugify pass; this is the backstop for names
typed at the prompts or given on the command line.
"""

import json
import keyword
import re
import sys
import unicodedata

# Cookiecutter renders the answers here as JSON inside a raw string: JSON escapes every quote and
# backslash, so no answer can end the string, and json.loads reads each one back exactly.
ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")
PROJECT_SLUG: str = ANSWERS["project_slug"]
PACKAGE_NAME: str = ANSWERS["package_name"]
FREE_TEXT = ("project_name", "description", "author_name")

SLUG_RULE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
REGION_RULE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
# Database names are <package>_development and so on; MySQL allows 64 characters, PostgreSQL 63.
PACKAGE_NAME_LIMIT = 40
# sys.stdlib_module_names leaves out the regression-test package.
STDLIB_MODULES = sys.stdlib_module_names | {"test"}
# The top-level modules of everything the generated project installs (pyproject.toml's dependencies
# and dev extras, with their own dependencies) and its own top-level folders. A package of the same
# name would shadow them. This hook runs in cookiecutter's Python, where none of them need be
# installed; tests/test_names.py checks the list against the installed distributions' metadata.
PROJECT_MODULES = {
    "alembic",
    "boto3",
    "botocore",
    "config",
    "dateutil",
    "dotenv",
    "events",
    "hypothesis",
    "iniconfig",
    "invoke",
    "jmespath",
    "mako",
    "markupsafe",
    "migrations",
    "packaging",
    "pluggy",
    "psycopg2",
    "py",
    "pygments",
    "pymysql",
    "pytest",
    "ruff",
    "s3transfer",
    "six",
    "sortedcontainers",
    "sqlalchemy",
    "tasks",
    "tests",
    "typing_extensions",
    "urllib3",
    "yaml",
}


def rename(reason: str) -> str:
    """A package name that cannot be used, and how to choose another."""
    return (
        f"package_name {PACKAGE_NAME!r} {reason}: choose another project name, or set "
        f"package_name (e.g. package_name={PACKAGE_NAME}_app)"
    )


def answer_problem() -> str | None:
    """Return what is wrong with the free-text answers or the region, or None when they are fine."""
    for name in FREE_TEXT:
        value = ANSWERS[name]
        if any(unicodedata.category(character) in ("Cc", "Zl", "Zp") for character in value):
            return f"{name} {value!r} contains a line break or control character: write it on one line"
    region = ANSWERS["aws_region"]
    if not REGION_RULE.match(region):
        return f"aws_region {region!r} is not an AWS region code: use one such as 'us-east-1'"
    return None


def name_problem() -> str | None:
    """Return what is wrong with the slug and the package name, or None when they are fine."""
    if not SLUG_RULE.match(PROJECT_SLUG):
        return (
            f"project_slug {PROJECT_SLUG!r} is not a valid slug: use lowercase letters, digits "
            "and single dashes, starting with a letter (e.g. 'blog-api')"
        )
    if not PACKAGE_NAME.isidentifier() or not PACKAGE_NAME.isascii():
        return (
            f"package_name {PACKAGE_NAME!r} is not a Python identifier: use lowercase letters, "
            "digits and underscores, starting with a letter (e.g. 'blog_api')"
        )
    if len(PACKAGE_NAME) > PACKAGE_NAME_LIMIT:
        return (
            f"package_name {PACKAGE_NAME!r} is {len(PACKAGE_NAME)} characters long: use at most "
            f"{PACKAGE_NAME_LIMIT}, so that database names fit MySQL's and PostgreSQL's limits"
        )
    if keyword.iskeyword(PACKAGE_NAME) or keyword.issoftkeyword(PACKAGE_NAME):
        return rename("is a Python keyword")
    if PACKAGE_NAME in STDLIB_MODULES:
        return rename("shadows the standard-library module of the same name")
    if PACKAGE_NAME in PROJECT_MODULES:
        return rename("shadows a module or folder of the generated project")
    return None


if __name__ == "__main__":
    message = answer_problem() or name_problem()
    if message:
        print(f"ERROR: {message}", file=sys.stderr)
        sys.exit(1)
