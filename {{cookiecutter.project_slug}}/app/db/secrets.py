"""The database password, read from AWS Secrets Manager once per execution environment.

On Lambda, template.yaml gives DB_SECRET_ARN (database.yml's ``password_secret``) instead of a
password: the RDS-managed master user secret, or any secret holding JSON with a ``password``
key, or the bare password. It is read when the first connection opens and kept; ``credentials``
reads it again when the server refuses it, which is how a rotated password is picked up.
"""

import json
import threading

from .. import aws
from ..errors import ConfigurationError, DatabaseUnavailableError

_passwords: dict[str, str] = {}
_lock = threading.Lock()


def password(secret_id: str, refresh: bool = False) -> str:
    """The password held by the secret ``secret_id`` (its ARN or name), read again if ``refresh``."""
    with _lock:
        if refresh or secret_id not in _passwords:
            _passwords[secret_id] = _read(secret_id)
        return _passwords[secret_id]


def forget() -> None:
    """Read the secrets again on next use."""
    with _lock:
        _passwords.clear()


def _read(secret_id: str) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = aws.client_within_deadline("secretsmanager").get_secret_value(SecretId=secret_id)
        secret = answer["SecretString"]
    except (BotoCoreError, ClientError) as error:
        raise DatabaseUnavailableError(
            f"cannot read the database password from {secret_id}: {error}"
        ) from error
    try:
        fields = json.loads(secret)
    except ValueError:
        return secret  # a bare password
    if not isinstance(fields, dict):
        return secret  # a bare password that happens to parse as JSON, such as 20241231
    if not isinstance(fields.get("password"), str):
        raise ConfigurationError(f"secret {secret_id} holds JSON but no password key: add one, as RDS does")
    return fields["password"]
