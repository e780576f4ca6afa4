"""Errors the app reports to people as one clear line."""


class ConfigurationError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


class DatabaseUnavailableError(Exception):
    """The database cannot be reached right now."""
