"""IAM database authentication: a token that stands for the password of one new connection.

With ``iam_auth`` (DB_IAM_AUTH on Lambda, set by template.yaml with RdsProxy or IamDatabaseAuth)
the functions log in with a token that botocore signs from the function role's credentials:
no network call, no secret to read. A token is valid for 15 minutes and only at login, so a
fresh one is signed for every new connection; an open connection outlives it.
"""

from .. import aws
from ..errors import DatabaseUnavailableError
from .settings import DatabaseSettings


def token(settings: DatabaseSettings) -> str:
    """A token that logs ``settings.username`` in to ``settings.host``, signed now."""
    from botocore.exceptions import BotoCoreError

    try:
        return aws.client("rds").generate_db_auth_token(
            DBHostname=settings.host, Port=settings.port, DBUsername=settings.username
        )
    except BotoCoreError as error:  # no credentials or no region: nothing to sign with
        raise DatabaseUnavailableError(
            f"cannot sign an IAM authentication token for {settings.username}@{settings.host}: {error}"
        ) from error
