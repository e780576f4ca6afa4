"""invoke check: what CI runs, on your machine (.github/workflows/ci.yml runs this task)."""

from invoke import Context, task

# In order: the cheap ones first, so a typo fails in a second.
LINTERS = ["ruff check .", "ruff format --check ."]
TEMPLATE_LINTERS = ["cfn-lint template.yaml deploy/github-oidc.yaml", "sam validate --lint"]


def commands(integration: bool) -> list[str]:
    """The commands of ``invoke check``: the unit tests only, unless ``integration`` (all tests)."""
    tests = "pytest" if integration else 'pytest -m "not db"'
    return [*LINTERS, tests, *TEMPLATE_LINTERS]


@task(help={"integration": "run the integration tests too, against the test database (CI does)"})
def check(c: Context, integration: bool = False) -> None:
    """Run what CI runs: ruff, the unit tests, cfn-lint and sam validate --lint; stop at the first failure."""
    for command in commands(integration):
        print(f"$ {command}", flush=True)
        c.run(command)
