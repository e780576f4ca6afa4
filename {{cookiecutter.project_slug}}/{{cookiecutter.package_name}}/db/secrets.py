"""The database password, read from AWS Secrets Manager once per execution environment.

On Lambda, template.yaml gives DB_SECRET_ARN (database.yml's ``password_secret``) instead of a
password: the RDS-managed master user secret, or any secret holding JSON with a ``password``
key, or the bare password. It is read on first use and kept; ``forget()`` makes the next use read
it again, which is how a rotated password is picked up.
"""

import functools
import json

from {{ cookiecutter.package_name }} import aws
from {{ cookiecutter.package_name }}.errors import ConfigurationError, DatabaseUnavailableError


@functools.cache
def password(secret_id: str) -> str:
    """The password held by the secret ``secret_id`` (its ARN or name)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        secret = aws.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
    except (BotoCoreError, ClientError) as error:
        reason = f"cannot read the database password from {secret_id}: {error}"
        raise DatabaseUnavailableError(reason) from error
    try:
        fields = json.loads(secret)
    except ValueError:
        return secret  # a bare password
    if not isinstance(fields, dict) or not isinstance(fields.get("password"), str):
        raise ConfigurationError(f"secret {secret_id} holds JSON but no password key: add one, as RDS does")
    return fields["password"]


def forget() -> None:
    """Read the secrets again on next use."""
    password.cache_clear()
