"""Database access: settings, engine and the per-invocation unit of work."""

from .connection import current, reset, session_scope, with_session

__all__ = ["current", "reset", "session_scope", "with_session"]
