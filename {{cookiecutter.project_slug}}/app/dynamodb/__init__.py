"""DynamoDB beside the SQL database: the app's table, reached through ``aws.client``, and its models.

Importing this package imports neither boto3 nor botocore: a route that does not touch DynamoDB
pays nothing for it at cold start.
"""

from .settings import DynamoDBSettings, load_dynamodb_settings
from .table import Table, app_table

__all__ = ["DynamoDBSettings", "Table", "app_table", "load_dynamodb_settings"]
