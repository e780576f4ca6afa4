"""A unit of work on MySQL and MariaDB: what test_transactions.py cannot say for every database."""

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from app import db
from app.bodies import MAX_BODY_BYTES
from app.main import handler
from app.models import Post

from tests.events import call, error, http_event, invoke
from tests.observer import stored_titles


def test_stacked_statements_are_refused(observer: Engine) -> None:
    with db.session_scope() as session:
        session.add(Post(title="kept"))
    injected = "x'; UPDATE posts SET title = 'injected"
    with pytest.raises(DBAPIError, match="1064"), db.session_scope() as session:
        session.execute(text(f"SELECT id FROM posts WHERE title = '{injected}'"))  # pasted on purpose
    assert stored_titles(observer) == ["kept"]


def test_a_read_only_unit_can_stream_results() -> None:
    with db.session_scope() as session:
        session.add_all([Post(title=f"post {number}") for number in range(5)])
    with db.session_scope(readonly=True) as session:
        assert len(session.scalars(select(Post.id).execution_options(yield_per=2)).all()) == 5


def test_a_body_over_what_text_holds_is_a_422_counted_in_bytes() -> None:
    over = "é" * 32768  # 65536 bytes of UTF-8 in 32768 characters
    expected = (422, error("body: must be at most 65535 bytes of UTF-8 (it has 65536)"))
    assert invoke(handler, "POST /posts", {"title": "over", "body": over}) == expected
    padding = MAX_BODY_BYTES - len(json.dumps({"title": "big", "body": ""}))
    at_the_limit = json.dumps({"title": "big", "body": "x" * padding})
    expected = (422, error(f"body: must be at most 65535 bytes of UTF-8 (it has {padding})"))
    assert call(handler, http_event("POST /posts", at_the_limit)) == expected
