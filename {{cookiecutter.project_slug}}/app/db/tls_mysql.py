"""TLS arguments for database connections, built once per execution environment."""

import functools
import ssl
from typing import Any

from .settings import DatabaseSettings


@functools.cache
def client_context(ca_file: str | None) -> ssl.SSLContext:
    """A client TLS context, shared by every connection of the process.

    With a CA bundle the server's certificate and host name are verified; without one the
    connection is encrypted but the server is not authenticated (like libpq's sslmode=require).
    Building a context costs milliseconds, so it is never done per connection.
    """
    if ca_file:
        return ssl.create_default_context(cafile=ca_file)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def connect_args(settings: DatabaseSettings) -> dict[str, Any]:
    """PyMySQL's TLS arguments for these settings."""
    if not settings.ssl:
        # Without this PyMySQL builds a fresh TLS context on every connect, to offer TLS.
        return {"ssl_disabled": True}
    return {"ssl": client_context(settings.ssl_ca)}
