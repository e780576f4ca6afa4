"""Keep the chosen database's files, then print the next steps."""

from pathlib import Path

DATABASE = "{{ cookiecutter.database }}"
DATABASES = ("mysql", "postgresql")
NEXT_STEPS = """
Created {{ cookiecutter.project_slug }} ({{ cookiecutter.database }})

Next steps:
  cd {{ cookiecutter.project_slug }}
  python{{ cookiecutter.python_version }} -m venv .venv && . .venv/bin/activate
  pip install -e '.[dev]'
  invoke db.setup             # create, migrate and seed the development database (and create _test)
  pytest                      # the project's own tests, against the test database
  invoke deploy --guided      # then to AWS: see "Deploying to AWS" in the README
  git push                    # to GitHub: CI tests every push, Deploy ships main ("Continuous delivery")
"""


def keep_chosen_database(project: Path) -> None:
    """``<name>_<database>.py`` holds one database's code: the chosen one's becomes ``<name>.py``."""
    for path in sorted(project.rglob("*.py")):
        name, _, database = path.stem.rpartition("_")
        if database not in DATABASES:
            continue
        if database == DATABASE:
            path.rename(path.with_name(name + path.suffix))
        else:
            path.unlink()


if __name__ == "__main__":
    keep_chosen_database(Path.cwd())
    print(NEXT_STEPS)
