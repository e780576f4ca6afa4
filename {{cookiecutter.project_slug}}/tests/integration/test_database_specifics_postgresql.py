"""A unit of work on PostgreSQL: what test_transactions.py cannot say for every database."""

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from app import db
from app.bodies import MAX_BODY_BYTES
from app.main import handler
from app.models import Post

from tests.events import call, http_event, invoke
from tests.observer import stored_titles


def test_a_value_passed_as_a_parameter_cannot_add_a_statement(observer: Engine) -> None:
    # psycopg2 sends queries with the simple protocol, which runs every statement a query string
    # holds: values must be parameters (as SQLAlchemy passes them), never pasted into the SQL.
    with db.session_scope() as session:
        session.add(Post(title="kept"))
    injected = "x'; UPDATE posts SET title = 'injected"
    with db.session_scope() as session:
        assert session.scalars(select(Post.id).where(Post.title == injected)).all() == []
    assert stored_titles(observer) == ["kept"]


def test_an_advisory_transaction_lock_is_held_to_the_end_of_the_unit(observer: Engine) -> None:
    def taken_elsewhere() -> bool:
        with observer.connect() as connection:
            got = connection.scalar(text("SELECT pg_try_advisory_xact_lock(42)"))
            connection.rollback()
            return not got

    with db.session_scope() as session:
        session.execute(text("SELECT pg_advisory_xact_lock(42)"))
        session.add(Post(title="under the lock"))
        session.flush()
        assert taken_elsewhere()
    assert not taken_elsewhere()


def test_a_repeatable_read_race_raises_a_serialization_failure(observer: Engine) -> None:
    with db.session_scope() as session:
        session.add(Post(id=1, title="0"))
    with pytest.raises(DBAPIError, match="could not serialize access"), db.session_scope() as session:
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        title = session.scalar(select(Post.title).where(Post.id == 1))
        with observer.begin() as connection:  # another client updates the row meanwhile
            connection.execute(text("UPDATE posts SET title = '1' WHERE id = 1"))
        session.execute(text("UPDATE posts SET title = :title WHERE id = 1"), {"title": str(int(title) + 1)})
    assert stored_titles(observer) == ["1"]  # no update was lost


def test_a_read_only_unit_cannot_stream_with_a_server_side_cursor() -> None:
    # A server-side cursor needs a transaction, which a read-only unit does not open (docs/database.md).
    with (
        pytest.raises(DBAPIError, match="named cursor outside of transactions"),
        db.session_scope(readonly=True) as session,
    ):
        session.scalars(select(Post.id).execution_options(yield_per=2)).all()


def test_text_holds_a_body_as_large_as_a_request() -> None:
    over = "é" * 32768  # 65536 bytes of UTF-8: nothing for PostgreSQL's TEXT
    assert invoke(handler, "POST /posts", {"title": "over", "body": over})[0] == 201
    padding = MAX_BODY_BYTES - len(json.dumps({"title": "big", "body": ""}))
    at_the_limit = json.dumps({"title": "big", "body": "x" * padding})
    status, created = call(handler, http_event("POST /posts", at_the_limit))
    assert (status, len(created["body"])) == (201, padding)
