"""TLS arguments for database connections: libpq's, which keeps its TLS state in C."""

from typing import Any

from .settings import DatabaseSettings


def connect_args(settings: DatabaseSettings) -> dict[str, Any]:
    """The TLS arguments of libpq: ``verify-full``, the server's certificate and its name checked.

    The certificate must chain to a CA of ``ssl_ca``, or of the system's CAs without one
    (``sslrootcert=system``), and name the host connected to.
    """
    if not settings.ssl:
        return {"sslmode": "disable"}  # saves the TLS negotiation round trip
    return {"sslmode": "verify-full", "sslrootcert": settings.ca_bundle() or "system"}
