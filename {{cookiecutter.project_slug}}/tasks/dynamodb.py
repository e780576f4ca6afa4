"""DynamoDB tasks: invoke dynamodb.create, dynamodb.describe, dynamodb.list.

Each takes --env as the db.* tasks do (default: APP_ENV, else development). Development and test
use a local DynamoDB (``moto_server -p 8000``) unless DYNAMODB_ENDPOINT names another; see
app/dynamodb/settings.py.
"""

import json

from invoke import Context, task

from app.dynamodb import Table, load_dynamodb_settings
from app.dynamodb.table import request
from app.errors import ConfigurationError

from tasks.errors import one_line_errors

ENV_HELP = {"env": "environment whose table to use (default: APP_ENV, else development)"}


@task(help=ENV_HELP)
@one_line_errors
def create(c: Context, env: str | None = None) -> None:
    """Create the environment's table on the local DynamoDB ("Already exists" is fine)."""
    settings = load_dynamodb_settings(env)
    if settings.endpoint_url is None:
        raise ConfigurationError(
            f"dynamodb.create makes tables on a local DynamoDB, and {settings.env!r} uses AWS's: "
            "there, sam deploy creates the table (template.yaml)"
        )
    created = Table(settings).create()
    print(f"{'Created' if created else 'Already exists:'} {settings.describe()}")


@task(help=ENV_HELP)
@one_line_errors
def describe(c: Context, env: str | None = None) -> None:
    """Print the environment's table: name, status, keys, billing and item count."""
    from botocore.exceptions import ClientError

    settings = load_dynamodb_settings(env)
    try:
        table = Table(settings).call("describe_table")["Table"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        fix = f"invoke dynamodb.create --env {settings.env}"
        raise ConfigurationError(f"no {settings.describe()}: {fix}") from None
    summary = {
        "TableName": table["TableName"],
        "TableStatus": table["TableStatus"],
        "KeySchema": table["KeySchema"],
        "BillingMode": table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED"),
        "ItemCount": table.get("ItemCount", 0),
    }
    print(json.dumps(summary, indent=2))


@task(name="list", help=ENV_HELP)
@one_line_errors
def list_tables(c: Context, env: str | None = None) -> None:
    """List the tables at the environment's DynamoDB endpoint."""
    settings = load_dynamodb_settings(env)
    start: dict[str, str] = {}
    while True:
        page = request(settings, "list_tables", **start)
        for name in page["TableNames"]:
            print(name)
        if "LastEvaluatedTableName" not in page:
            return
        start = {"ExclusiveStartTableName": page["LastEvaluatedTableName"]}
