"""The app's DynamoDB table: its keys, its calls with bounded waits, and their errors as the app reports them.

Every item has a partition key ``pk`` and a sort key ``sk``, both strings, so that several kinds of
item can share the table (``POST#42`` / ``VIEWS``). Calls go through ``aws.client_within_deadline``:
2 attempts of at most 2 s to connect and 2 s to read, fewer and shorter when the invocation's
deadline is near. DynamoDB out of reach or throttling raises DatabaseUnavailableError (the API
answers 503); any other refusal is a bug (500).
"""

import functools
from dataclasses import dataclass
from typing import Any

from .. import aws
from ..errors import DatabaseUnavailableError
from .settings import DynamoDBSettings, load_dynamodb_settings

KEY_SCHEMA = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
ATTRIBUTE_DEFINITIONS = [
    {"AttributeName": "pk", "AttributeType": "S"},
    {"AttributeName": "sk", "AttributeType": "S"},
]
# Error codes that mean "not now" rather than "never": retrying later may succeed.
UNAVAILABLE_CODES = {
    "InternalServerError",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "ServiceUnavailable",
    "ThrottlingException",
}


def request(settings: DynamoDBSettings, operation: str, **arguments: Any) -> dict[str, Any]:
    """DynamoDB's answer to ``operation`` (a client method: "update_item") at the endpoint of ``settings``."""
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    try:
        dynamodb = aws.client_within_deadline("dynamodb", endpoint_url=settings.endpoint_url)
        return getattr(dynamodb, operation)(**arguments)
    except (ConnectionError, HTTPClientError, ClientError) as error:  # unreachable, timed out, refused
        if isinstance(error, ClientError) and error.response["Error"]["Code"] not in UNAVAILABLE_CODES:
            raise  # a bug, or a table or permission missing: answered 500
        raise DatabaseUnavailableError(f"DynamoDB {operation} on {settings.describe()}: {error}") from error


@dataclass(frozen=True)
class Table:
    """The table that ``settings`` name, on their endpoint."""

    settings: DynamoDBSettings

    def call(self, operation: str, **arguments: Any) -> dict[str, Any]:
        """DynamoDB's answer to ``operation`` on this table."""
        return request(self.settings, operation, TableName=self.settings.table, **arguments)

    def create(self) -> bool:
        """Create the table, billed per request; False when it exists already."""
        from botocore.exceptions import ClientError

        try:
            self.call(
                "create_table",
                KeySchema=KEY_SCHEMA,
                AttributeDefinitions=ATTRIBUTE_DEFINITIONS,
                BillingMode="PAY_PER_REQUEST",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ResourceInUseException":
                return False
            raise
        return True


@functools.cache
def app_table() -> Table:
    """The table of the app's environment, settled on first use and kept for the execution environment."""
    return Table(load_dynamodb_settings())
