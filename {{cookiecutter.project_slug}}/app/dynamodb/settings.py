"""Which DynamoDB table an environment uses, and where: AWS's endpoint, or a local one.

On Lambda, template.yaml passes the table's name in DYNAMODB_TABLE. Elsewhere the table is named
after the environment's database in config/database.yml (``blog_api_development``) unless
DYNAMODB_TABLE names another, and development and test talk to a local DynamoDB
(``moto_server -p 8000``, see docs/dynamodb.md) unless DYNAMODB_ENDPOINT names another.
"""

import os
from dataclasses import dataclass

from ..db.settings import load_database_settings
from ..environment import app_env, load_env_files, on_lambda
from ..errors import ConfigurationError

TABLE_VARIABLE = "DYNAMODB_TABLE"
ENDPOINT_VARIABLE = "DYNAMODB_ENDPOINT"
LOCAL_ENDPOINT = "http://127.0.0.1:8000"  # moto_server -p 8000, or DynamoDB Local's default port
LOCAL_ENVIRONMENTS = ("development", "test")


@dataclass(frozen=True)
class DynamoDBSettings:
    """The table of one environment, and the endpoint that serves it (None: AWS's)."""

    env: str
    table: str
    endpoint_url: str | None = None

    def describe(self) -> str:
        """The table and where it is, for messages."""
        return f"table {self.table} at {self.endpoint_url or 'AWS'}"


def load_dynamodb_settings(env: str | None = None) -> DynamoDBSettings:
    """The DynamoDB settings of ``env`` (APP_ENV by default)."""
    env = env or app_env()
    load_env_files(env)
    table = os.environ.get(TABLE_VARIABLE) or _named_after_the_database(env)
    local = env in LOCAL_ENVIRONMENTS and not on_lambda()
    endpoint_url = os.environ.get(ENDPOINT_VARIABLE) or (LOCAL_ENDPOINT if local else None)
    return DynamoDBSettings(env, table, endpoint_url)


def _named_after_the_database(env: str) -> str:
    if on_lambda():
        raise ConfigurationError(f"{TABLE_VARIABLE} is not set: template.yaml gives it to the function")
    return load_database_settings(env).database
