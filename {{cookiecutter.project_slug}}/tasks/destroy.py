"""invoke destroy.resource: remove what generate.resource wrote, as ``rails destroy scaffold`` does."""

from invoke import Context, task

from tasks import scaffold
from tasks.db import ENV_HELP, with_test_database
from tasks.errors import one_line_errors
from tasks.resources import Resource, resource_name


@task(
    help=ENV_HELP
    | {"name": "the resource, as generate.resource was given it", "dry-run": "list what it would remove"}
)
@one_line_errors
def resource(c: Context, name: str, dry_run: bool = False, env: str | None = None) -> None:
    """Remove a generated resource's files and lines, once no database has its migration (roll back first)."""
    resource = Resource(resource_name(name))
    for line in scaffold.destroy(resource, with_test_database(env), dry_run):
        print(line)
