"""The migrate function, run here against the real test database."""

import pytest
from alembic.script import ScriptDirectory

from app.db.migrations import (
    MigrationError,
    alembic_config,
    revisions,
    rollback,
)
from app.db.settings import DatabaseSettings
from app.handlers.migrate import handler


def test_it_upgrades_to_head_and_reports_the_revisions(settings: DatabaseSettings) -> None:
    head = ScriptDirectory.from_config(alembic_config(settings)).get_current_head()
    rollback(settings, steps=sum(revision.applied for revision in revisions(settings)))

    first = handler({}, None)
    assert first == {"database": settings.database, "created": False, "previous": None, "current": head}
    again = handler({"target": "head"}, None)
    assert again == {"database": settings.database, "created": False, "previous": head, "current": head}


def test_an_unknown_target_fails_with_alembics_reason(settings: DatabaseSettings) -> None:
    with pytest.raises(MigrationError, match="nosuchrevision"):
        handler({"target": "nosuchrevision"}, None)
