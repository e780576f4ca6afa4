"""The database password from Secrets Manager on the real database: read once, not again while it is down."""

import json

import pytest

from app import db
from app.db.settings import DatabaseSettings
from app.main import handler

from tests.events import invoke
from tests.proxy import Proxy
from tests.unit.test_secrets import answer, production_from

EMPTY = {"items": [], "next_cursor": None}


def test_the_secret_is_read_for_the_first_connection_only(
    settings: DatabaseSettings, monkeypatch: pytest.MonkeyPatch, stub_aws
) -> None:
    answer(stub_aws("secretsmanager"), json.dumps({"password": settings.app_password}))
    production_from(settings, monkeypatch, settings.port)
    db.reset()
    for _ in range(3):
        assert invoke(handler, "GET /posts") == (200, EMPTY)


def test_a_database_that_is_down_is_a_503_and_the_secret_is_not_read_again(
    settings: DatabaseSettings, monkeypatch: pytest.MonkeyPatch, stub_aws, proxy: Proxy
) -> None:
    answer(stub_aws("secretsmanager"), json.dumps({"password": settings.app_password}))
    production_from(settings, monkeypatch, proxy.port)
    db.reset()
    assert invoke(handler, "GET /posts")[0] == 503
    assert invoke(handler, "GET /posts")[0] == 503

    proxy.start()
    assert invoke(handler, "GET /posts") == (200, EMPTY)
