"""TLS arguments for database connections, built once per execution environment."""

import functools
import ssl
from typing import Any

from .settings import DatabaseSettings


@functools.cache
def client_context(ca_file: str | None) -> ssl.SSLContext:
    """A client TLS context that verifies the server, shared by every connection of the process.

    The server's certificate must chain to a CA of ``ca_file`` (the system's CAs without one) and
    name the host connected to: PyMySQL's ``ssl_verify_cert`` and ``ssl_verify_identity`` with
    ``ssl_ca``, in a context built once (it costs milliseconds) rather than on every connect.
    """
    return ssl.create_default_context(cafile=ca_file)


def connect_args(settings: DatabaseSettings) -> dict[str, Any]:
    """PyMySQL's TLS arguments for these settings."""
    if not settings.ssl:
        # Without this PyMySQL builds a fresh TLS context on every connect, to offer TLS.
        return {"ssl_disabled": True}
    return {"ssl": client_context(settings.ca_bundle())}
