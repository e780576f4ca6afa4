"""Alembic driven from Python: what each migration command costs the server."""

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.db import migrations
from app.db.engine import build_engine
from app.db.settings import DatabaseSettings

from tests.server import Server


def test_a_migrate_command_opens_one_connection_and_closes_it(
    settings: DatabaseSettings, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = []

    def counted(*args, **kwargs) -> Engine:
        engine = build_engine(*args, **kwargs)
        event.listen(engine, "connect", lambda *_: opened.append(engine))
        return engine

    monkeypatch.setattr(migrations, "build_engine", counted)
    migrations.upgrade(settings)  # reads where the database is, upgrades, reads again
    migrations.revisions(settings)
    assert len(opened) == 2  # one per command
    assert server.connections_once_closed() == 0  # both disposed
