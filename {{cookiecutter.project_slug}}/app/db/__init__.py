"""Database access: settings, engine and the per-invocation unit of work."""

from .connection import current, reset, session_scope

__all__ = ["current", "reset", "session_scope"]
