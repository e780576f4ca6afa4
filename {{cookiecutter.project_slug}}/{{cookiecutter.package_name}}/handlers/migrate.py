"""The migrate function: applies the Alembic migrations from inside the database's VPC.

``invoke db.migrate --remote`` invokes it with ``{"target": "head"}`` (the default) and prints
what it answers: the database and its revision before and after. A failure is raised, so that
Lambda reports it as a function error and logs it.
"""

from typing import Any

from {{ cookiecutter.package_name }}.db.migrations import current_revision, upgrade
from {{ cookiecutter.package_name }}.db.settings import load_database_settings


def handler(event: dict[str, Any] | None, context: Any) -> dict[str, str | None]:
    """Upgrade the database of APP_ENV to ``event["target"]`` (head by default)."""
    target = (event or {}).get("target") or "head"
    settings = load_database_settings()
    previous = current_revision(settings)
    return {"database": settings.database, "previous": previous, "current": upgrade(settings, target)}
