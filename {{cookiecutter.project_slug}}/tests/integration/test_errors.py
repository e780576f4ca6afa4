"""A login the server refuses: a generic 503, the server's reason in the log, and no password anywhere."""

import json

import pytest

from app import db
from app.db.settings import DatabaseSettings
from app.errors import DatabaseUnavailableError
from app.main import handler

from tasks.api import LocalContext
from tests.events import decoded, http_event
from tests.unit.test_errors import PASSWORD, UNAVAILABLE


def messages_raised_from(raised: BaseException | None) -> list[str]:
    """The messages of ``raised`` and of every error it was raised from or while handling."""
    messages = []
    while raised is not None:
        messages.append(str(raised))
        raised = raised.__cause__ or raised.__context__
    return messages


def test_a_refused_login_leaks_no_password_and_no_internals(
    settings: DatabaseSettings, monkeypatch: pytest.MonkeyPatch, log_lines
) -> None:
    monkeypatch.setenv("DB_APP_USER", "no_such_user")
    monkeypatch.setenv("DB_APP_PASS", PASSWORD)
    response = handler(http_event("GET /posts"), LocalContext())

    assert decoded(response) == (503, UNAVAILABLE)
    for internal in (PASSWORD, "no_such_user", settings.host, str(settings.port), settings.database):
        assert internal not in str(response)
    lines = json.dumps(log_lines())
    assert "no_such_user" in lines  # the server's reason is logged
    assert PASSWORD not in lines
    with pytest.raises(DatabaseUnavailableError) as raised, db.session_scope():
        pass
    assert [message for message in messages_raised_from(raised.value) if PASSWORD in message] == []
