"""Keep the chosen database's files and the files of the options chosen, then print the next steps."""

import shutil
from pathlib import Path

DATABASE = "{{ cookiecutter.database }}"
DATABASES = ("mysql", "postgresql")
# The files and folders each yes/no option adds: removed when it is "no".
OPTION_FILES = {
    "dynamodb": [
        "app/dynamodb",
        "docs/dynamodb.md",
        "app/routes/viewed_posts.py",
        "tasks/dynamodb.py",
        "tests/integration/test_dynamodb.py",
        "tests/service_dynamodb.py",
    ],
}
CHOSEN = {"dynamodb": "{{ cookiecutter.dynamodb }}"}
NEXT_STEPS = """
Created {{ cookiecutter.project_slug }} ({{ cookiecutter.database }})

Next steps:
  cd {{ cookiecutter.project_slug }}
  git init -b main && git add -A && git commit -qm "New project"
  python{{ cookiecutter.python_version }} -m venv .venv && . .venv/bin/activate
  pip install -e '.[dev]'
  invoke db.setup             # create, migrate and seed the development database (and create _test)
{%- if cookiecutter.dynamodb == "yes" %}
  moto_server -p 8000 &       # a local DynamoDB, in memory
  invoke dynamodb.create      # create the development table on it
{%- endif %}
  pytest                      # the project's own tests, against the test database
  invoke check                # what CI checks: ruff, the unit tests, cfn-lint, sam validate
  invoke deploy --guided      # then to AWS: see docs/deploying.md
  git remote add origin git@github.com:OWNER/{{ cookiecutter.project_slug }}.git  # a new, empty repo
  git push -u origin main     # CI tests every push, Deploy ships main ("Continuous delivery")
"""


def keep_chosen_database(project: Path) -> None:
    """``<name>_<database>.<ext>`` (code, a lock) is one database's: the chosen one's is ``<name>.<ext>``."""
    for path in sorted(path for path in project.rglob("*") if path.is_file()):
        name, _, database = path.stem.rpartition("_")
        if database not in DATABASES:
            continue
        if database == DATABASE:
            path.rename(path.with_name(name + path.suffix))
        else:
            path.unlink()


def remove_unchosen_options(project: Path) -> None:
    """Remove the files of every option answered "no"."""
    for option, paths in OPTION_FILES.items():
        if CHOSEN[option] == "yes":
            continue
        for path in (project / name for name in paths):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()


if __name__ == "__main__":
    keep_chosen_database(Path.cwd())
    remove_unchosen_options(Path.cwd())
    print(NEXT_STEPS)
