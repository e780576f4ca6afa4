"""A unit of work is one transaction from its first statement, checked against the real server."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from app import db
from app.errors import ReadOnlyError
from app.models import Post

from tests.observer import commit_post, count_posts, stored_titles
from tests.sql import CREATE_WRITING_FUNCTION, DROP_WRITING_FUNCTION

INSERT_POST = (
    "INSERT INTO posts (id, title, body, created_at, updated_at) "
    "VALUES (:id, :title, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)


def test_writes_of_a_unit_of_work_are_committed_together(observer: Engine) -> None:
    with db.session_scope() as session:
        session.add(Post(title="first"))
        session.flush()
        assert stored_titles(observer) == []  # inside a transaction, not autocommitted
        session.add(Post(title="second"))
        session.flush()
        assert stored_titles(observer) == []
    assert stored_titles(observer) == ["first", "second"]


def test_an_error_after_writes_rolls_all_of_them_back(observer: Engine) -> None:
    with pytest.raises(RuntimeError, match="boom"), db.session_scope() as session:
        session.add(Post(title="one"))
        session.flush()
        session.execute(text("UPDATE posts SET title = 'two'"))
        raise RuntimeError("boom")
    assert stored_titles(observer) == []


def test_a_unit_inside_another_joins_it_and_ends_with_it(observer: Engine) -> None:
    with db.session_scope() as outer:
        with db.session_scope() as inner:
            assert inner is outer
            inner.add(Post(title="inner"))
        with db.session_scope(readonly=True) as reader:
            post = reader.scalars(select(Post)).one()  # a read-only one too: it sees the outer's writes
        assert post.id is not None  # flushed when the inner unit ended
        assert stored_titles(observer) == []  # and committed only with the outer one
    assert stored_titles(observer) == ["inner"]

    with pytest.raises(RuntimeError, match="boom"), db.session_scope():
        with db.session_scope() as inner:
            inner.add(Post(title="rolled back"))
        raise RuntimeError("boom")
    assert stored_titles(observer) == ["inner"]


def test_a_failing_statement_rolls_back_the_writes_before_it(observer: Engine) -> None:
    with pytest.raises(DBAPIError), db.session_scope() as session:
        session.add(Post(title="kept only if all succeed"))
        session.flush()
        session.execute(text(INSERT_POST), {"id": 10**6, "title": "duplicate id"})
        session.execute(text(INSERT_POST), {"id": 10**6, "title": "duplicate id"})
    assert stored_titles(observer) == []
    with db.session_scope() as session:
        session.add(Post(title="next"))
    assert stored_titles(observer) == ["next"]


def test_a_failing_first_write_leaves_nothing_and_the_connection_usable(observer: Engine) -> None:
    with db.session_scope() as session:
        session.execute(text(INSERT_POST), {"id": 10**6 + 2, "title": "taken"})
    with pytest.raises(DBAPIError), db.session_scope() as session:
        session.execute(text(INSERT_POST), {"id": 10**6 + 2, "title": "duplicate id"})
    with db.session_scope() as session:
        session.add_all([Post(title="many 1"), Post(title="many 2"), Post(title="many 3")])
    assert sorted(stored_titles(observer)) == ["many 1", "many 2", "many 3", "taken"]


def test_reads_see_one_snapshot_at_repeatable_read(observer: Engine) -> None:
    with db.session_scope() as session:
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))  # as the first statement
        assert count_posts(session) == 0
        commit_post(observer, "committed meanwhile")
        assert count_posts(session) == 0  # the transaction began with the first read, not the first write
    assert stored_titles(observer) == ["committed meanwhile"]


def test_a_select_that_writes_is_rolled_back_with_the_unit(observer: Engine) -> None:
    with observer.begin() as connection:
        connection.exec_driver_sql(DROP_WRITING_FUNCTION)
        connection.exec_driver_sql(CREATE_WRITING_FUNCTION)
    try:
        with pytest.raises(RuntimeError, match="boom"), db.session_scope() as session:
            assert session.scalar(text("SELECT add_post('written by a select')")) > 0
            raise RuntimeError("boom")
        assert stored_titles(observer) == []
    finally:
        with observer.begin() as connection:
            connection.exec_driver_sql(DROP_WRITING_FUNCTION)


def test_results_can_be_streamed(observer: Engine) -> None:
    with db.session_scope() as session:
        session.add_all([Post(title=f"post {number}") for number in range(5)])
    with db.session_scope() as session:
        streamed = session.scalars(select(Post.title).order_by(Post.id).execution_options(yield_per=2))
        assert list(streamed) == [f"post {number}" for number in range(5)]
        rows = session.execute(select(Post.id).execution_options(stream_results=True, max_row_buffer=2))
        assert len(rows.all()) == 5


def test_a_read_only_unit_reads_and_refuses_to_write(observer: Engine) -> None:
    with db.session_scope() as session:
        session.add(Post(title="readable"))
    with db.session_scope(readonly=True) as session:
        assert session.scalars(select(Post.title)).all() == ["readable"]
    with (
        pytest.raises(ReadOnlyError, match="this unit of work is read-only"),
        db.session_scope(readonly=True) as s,
    ):
        s.add(Post(title="refused"))
        s.flush()
    with pytest.raises(ReadOnlyError), db.session_scope(readonly=True) as session:
        session.execute(text("UPDATE posts SET title = 'refused'"))
    assert stored_titles(observer) == ["readable"]


def test_units_after_a_read_only_one_are_transactions_again(observer: Engine) -> None:
    for _ in range(2):
        with db.session_scope(readonly=True) as session:
            assert count_posts(session) == 0
        with pytest.raises(RuntimeError, match="boom"), db.session_scope() as session:
            session.add(Post(title="rolled back"))
            session.flush()
            raise RuntimeError("boom")
        assert stored_titles(observer) == []


def test_a_read_only_unit_sees_each_commit_at_once(observer: Engine) -> None:
    with db.session_scope(readonly=True) as session:
        assert count_posts(session) == 0
        commit_post(observer, "seen")
        assert count_posts(session) == 1  # no transaction: each statement reads the latest commit
