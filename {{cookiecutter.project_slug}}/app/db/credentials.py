"""The password of each new connection, supplied as it opens (SQLAlchemy's ``do_connect`` event).

With ``password_secret`` set (DB_SECRET_ARN on Lambda), the password comes from Secrets Manager:
read for the first connection of the execution environment and kept for the next ones. When the
server refuses it, the secret has probably been rotated: it is read again and the connection
retried once, within the same invocation, so a rotation costs no failed request.

With ``iam_auth`` set (DB_IAM_AUTH on Lambda), each new connection gets a freshly signed IAM
authentication token instead (see ``iam``); the settings have made sure it travels over TLS.
"""

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.pool import ConnectionPoolEntry

from . import driver, iam, secrets
from .driver import is_authentication_failure
from .settings import DatabaseSettings


def install(engine: Engine, settings: DatabaseSettings) -> None:
    """Give every connection ``engine`` opens a fresh IAM token, or the secret's current password."""
    if settings.iam_auth:

        @event.listens_for(engine, "do_connect")
        def sign(
            dialect: Dialect, record: ConnectionPoolEntry, cargs: list[Any], cparams: dict[str, Any]
        ) -> Any:
            cparams["password"] = iam.token(settings)
            return driver.connect(dialect, cargs, cparams)

        return
    secret_id = settings.password_secret
    if not secret_id:
        return  # the password is in the settings, hence in the engine's URL

    @event.listens_for(engine, "do_connect")
    def connect(
        dialect: Dialect, record: ConnectionPoolEntry, cargs: list[Any], cparams: dict[str, Any]
    ) -> Any:
        cparams["password"] = secrets.password(secret_id)
        try:
            return driver.connect(dialect, cargs, cparams)
        except dialect.loaded_dbapi.OperationalError as error:
            if not is_authentication_failure(error):
                raise
        cparams["password"] = secrets.password(secret_id, refresh=True)
        return driver.connect(dialect, cargs, cparams)
