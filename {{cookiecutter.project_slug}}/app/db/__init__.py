"""Database access: settings, engine and the per-invocation unit of work."""

from .connection import current, discard_connections, reset, session_scope

__all__ = ["current", "discard_connections", "reset", "session_scope"]
