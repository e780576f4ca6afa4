"""TLS arguments for database connections, built once per execution environment."""

from typing import Any

from .settings import DatabaseSettings


def connect_args(settings: DatabaseSettings) -> dict[str, Any]:
    """The TLS arguments of libpq, which keeps its TLS state in C."""
    if not settings.ssl:
        return {"sslmode": "disable"}  # saves the TLS negotiation round trip
    if settings.ssl_ca:
        return {"sslmode": "verify-full", "sslrootcert": settings.ssl_ca}
    return {"sslmode": "require"}
