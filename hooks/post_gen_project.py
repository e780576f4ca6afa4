"""Print the next steps once the project has been generated."""

NEXT_STEPS = """
Created {{ cookiecutter.project_slug }} ({{ cookiecutter.database }})

Next steps:
  cd {{ cookiecutter.project_slug }}
  python{{ cookiecutter.python_version }} -m venv .venv && . .venv/bin/activate
  pip install -e '.[dev]'
  invoke db.setup             # create, migrate and seed the development database (and create _test)
  pytest                      # the project's own tests, against the test database
  invoke deploy --guided      # then to AWS: see "Deploying to AWS" in the README
"""

if __name__ == "__main__":
    print(NEXT_STEPS)
