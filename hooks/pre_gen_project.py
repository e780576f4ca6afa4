"""Reject project names that would produce a broken project, before anything is written.

Each failure is one line that names the value and the rule; cookiecutter then removes the
half-made project directory and exits non-zero.
"""

import keyword
import re
import sys

PROJECT_SLUG = "{{ cookiecutter.project_slug }}"
PACKAGE_NAME = "{{ cookiecutter.package_name }}"

SLUG_RULE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# Database names are <package>_development and so on; MySQL allows 64 characters, PostgreSQL 63.
PACKAGE_NAME_LIMIT = 40
# Top-level modules the generated project imports or installs; a package of the same name
# would shadow them.
DEPENDENCY_MODULES = {
    "alembic",
    "boto3",
    "botocore",
    "config",
    "dotenv",
    "invoke",
    "migrations",
    "moto",
    "psycopg2",
    "pymysql",
    "pytest",
    "ruff",
    "samcli",
    "sqlalchemy",
    "tasks",
    "tests",
    "yaml",
}


def problem() -> str | None:
    """Return what is wrong with the names, or None when they are fine."""
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
        return f"package_name {PACKAGE_NAME!r} is a Python keyword: choose another name"
    if PACKAGE_NAME in sys.stdlib_module_names:
        return (
            f"package_name {PACKAGE_NAME!r} shadows the standard-library module of the same "
            "name: choose another name"
        )
    if PACKAGE_NAME in DEPENDENCY_MODULES:
        return f"package_name {PACKAGE_NAME!r} shadows a module the project depends on: choose another name"
    return None


if __name__ == "__main__":
    message = problem()
    if message:
        print(f"ERROR: {message}", file=sys.stderr)
        sys.exit(1)
