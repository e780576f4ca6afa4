"""The password of each new connection, supplied as it opens (SQLAlchemy's ``do_connect`` event).

With ``password_secret`` set (DB_SECRET_ARN on Lambda), the password comes from Secrets Manager:
the RDS-managed master user secret, any secret holding JSON with a ``password`` key, or the bare
password. It is read for the first connection of the execution environment and kept for the next
ones. When the server refuses it, the secret has probably been rotated: it is read again and the
connection retried once, within the same invocation, so a rotation costs no failed request.

With ``iam_auth`` set (DB_IAM_AUTH on Lambda, set by template.yaml with RdsProxy or
IamDatabaseAuth), each new connection gets an IAM authentication token instead, which botocore
signs from the function role's credentials: no network call, no secret to read. A token is valid
for 15 minutes and only at login, so a fresh one is signed for every new connection; the settings
have made sure it travels over TLS.
"""

import json
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.pool import ConnectionPoolEntry

from .. import aws
from ..errors import ConfigurationError, DatabaseUnavailableError
from . import driver
from .driver import is_authentication_failure
from .settings import DatabaseSettings

_passwords: dict[str, str] = {}
_lock = threading.Lock()


def install(engine: Engine, settings: DatabaseSettings) -> None:
    """Give every connection ``engine`` opens a fresh IAM token, or the secret's current password."""
    if settings.iam_auth:

        @event.listens_for(engine, "do_connect")
        def sign(
            dialect: Dialect, record: ConnectionPoolEntry, cargs: list[Any], cparams: dict[str, Any]
        ) -> Any:
            cparams["password"] = iam_token(settings)
            return driver.connect(dialect, cargs, cparams)

        return
    secret_id = settings.password_secret
    if not secret_id:
        return  # the password is in the settings, hence in the engine's URL

    @event.listens_for(engine, "do_connect")
    def connect(
        dialect: Dialect, record: ConnectionPoolEntry, cargs: list[Any], cparams: dict[str, Any]
    ) -> Any:
        cparams["password"] = password(secret_id)
        try:
            return driver.connect(dialect, cargs, cparams)
        except dialect.loaded_dbapi.OperationalError as error:
            if not is_authentication_failure(error):
                raise
        cparams["password"] = password(secret_id, refresh=True)
        return driver.connect(dialect, cargs, cparams)


def password(secret_id: str, refresh: bool = False) -> str:
    """The password held by the secret ``secret_id`` (its ARN or name), read again if ``refresh``."""
    with _lock:
        if refresh or secret_id not in _passwords:
            _passwords[secret_id] = _read_secret(secret_id)
        return _passwords[secret_id]


def forget() -> None:
    """Read the secrets again on next use."""
    with _lock:
        _passwords.clear()


def _read_secret(secret_id: str) -> str:
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


def iam_token(settings: DatabaseSettings) -> str:
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
