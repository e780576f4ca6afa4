"""The migrate function: prepares the database from inside its VPC, where a laptop cannot reach.

``invoke db.migrate --remote`` invokes it with ``{"target": "head"}`` (the default). Like Rails'
``db:prepare`` it creates the database when it does not exist yet, then applies the migrations,
and answers with the database, whether it was created, and its revision before and after. A
failure is raised, so that Lambda reports it as a function error and logs it.
"""

from typing import Any

from ..db.admin import create_database
from ..db.migrations import upgrade
from ..db.settings import load_database_settings


def handler(event: dict[str, Any] | None, context: Any) -> dict[str, Any]:
    """Create the database of APP_ENV if needed, then upgrade it to ``event["target"]`` (head)."""
    target = (event or {}).get("target") or "head"
    settings = load_database_settings()
    created = create_database(settings)
    previous, current = upgrade(settings, target)
    return {"database": settings.database, "created": created, "previous": previous, "current": current}
