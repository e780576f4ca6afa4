"""Errors the app reports to people as one clear line."""

from sqlalchemy.exc import DBAPIError


class ConfigurationError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


class DatabaseUnavailableError(Exception):
    """The database cannot be reached right now."""

    @classmethod
    def because(cls, doing: str, error: DBAPIError) -> "DatabaseUnavailableError":
        """What we were doing, then the driver's own reason."""
        return cls(f"{doing}: {driver_reason(error)}")


class ReadOnlyError(Exception):
    """A read-only unit of work tried to write."""


class ResponseTooLargeError(Exception):
    """A response would be larger than Lambda can return."""


def driver_reason(error: DBAPIError) -> str:
    """The driver's own message, on one line."""
    return " ".join(str(error.orig).split()) or type(error.orig).__name__


def is_connection_failure(error: DBAPIError) -> bool:
    """True when the error is about reaching the server, not about a statement."""
    return error.connection_invalidated or not error.statement
