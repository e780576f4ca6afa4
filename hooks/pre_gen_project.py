"""Refuse answers that would produce a broken project, before anything is written.

Each failure is one line that names the value, the rule and the fix; cookiecutter then removes
the half-made project directory, logs its own "Stopping generation" traceback and exits non-zero.
The defaults that cookiecutter.json derives with slugify pass; this is the backstop for names
typed at the prompts or given on the command line.
"""

import json
import re
import sys
import unicodedata

# Cookiecutter renders the answers here as JSON inside a raw string: JSON escapes every quote and
# backslash, so no answer can end the string, and json.loads reads each one back exactly.
ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")
PROJECT_SLUG: str = ANSWERS["project_slug"]
FREE_TEXT = ("project_name", "description", "author_name")

SLUG_RULE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
REGION_RULE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
# Database names are <slug with underscores>_development and so on; MySQL allows 64 characters,
# PostgreSQL 63. The stack name (<slug>-production) stays well inside CloudFormation's 128.
SLUG_LIMIT = 40


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
    """Return what is wrong with the slug, or None when it is fine."""
    if not SLUG_RULE.match(PROJECT_SLUG):
        return (
            f"project_slug {PROJECT_SLUG!r} is not a valid slug: use lowercase letters, digits "
            "and single dashes, starting with a letter (e.g. 'blog-api')"
        )
    if len(PROJECT_SLUG) > SLUG_LIMIT:
        return (
            f"project_slug {PROJECT_SLUG!r} is {len(PROJECT_SLUG)} characters long: use at most "
            f"{SLUG_LIMIT}, so that database names fit MySQL's and PostgreSQL's limits"
        )
    app_name, derived = ANSWERS["__app_name"], PROJECT_SLUG.replace("-", "_")  # a replay file holds both
    if app_name != derived:
        return (
            f"__app_name {app_name!r} does not follow project_slug {PROJECT_SLUG!r}: "
            f"set it to {derived!r} (a replay file holds both)"
        )
    return None


if __name__ == "__main__":
    message = answer_problem() or name_problem()
    if message:
        print(f"ERROR: {message}", file=sys.stderr)
        sys.exit(1)
