"""A unit of work is one transaction from its first statement, checked against the real server."""

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from {{ cookiecutter.package_name }} import db
from {{ cookiecutter.package_name }}.db.settings import DatabaseSettings
from {{ cookiecutter.package_name }}.errors import ReadOnlyError
from {{ cookiecutter.package_name }}.models import Post

INSERT_POST = (
    "INSERT INTO posts (id, title, body, created_at, updated_at) "
    "VALUES (:id, :title, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)
{%- if cookiecutter.database == "mysql" %}
# A SELECT whose function writes: the write belongs to the unit's transaction like any other.
CREATE_WRITING_FUNCTION = """
CREATE FUNCTION add_post(new_title VARCHAR(255)) RETURNS INT MODIFIES SQL DATA
BEGIN
  INSERT INTO posts (title, body, created_at, updated_at)
  VALUES (new_title, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
  RETURN LAST_INSERT_ID();
END
"""
DROP_WRITING_FUNCTION = "DROP FUNCTION IF EXISTS add_post"
{%- else %}
# A SELECT whose function writes: the write belongs to the unit's transaction like any other.
CREATE_WRITING_FUNCTION = """
CREATE FUNCTION add_post(new_title text) RETURNS integer LANGUAGE sql AS $$
  INSERT INTO posts (title, body, created_at, updated_at)
  VALUES (new_title, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id
$$
"""
DROP_WRITING_FUNCTION = "DROP FUNCTION IF EXISTS add_post(text)"
{%- endif %}


@pytest.fixture
def observer(settings: DatabaseSettings) -> Iterator[Engine]:
    """A plain engine of its own, which sees only what the app has committed."""
    engine = create_engine(settings.url(), poolclass=NullPool)
    yield engine
    engine.dispose()


def stored_titles(observer: Engine) -> list[str]:
    with observer.connect() as connection:
        return list(connection.scalars(select(Post.title).order_by(Post.id)))


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(Post))


def commit_elsewhere(observer: Engine, title: str) -> None:
    with observer.begin() as connection:
        connection.execute(Post.__table__.insert().values(title=title, body=""))


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
        assert count(session) == 0
        commit_elsewhere(observer, "committed meanwhile")
        assert count(session) == 0  # the transaction began with the first read, not the first write
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
{%- if cookiecutter.database == "mysql" %}
    with db.session_scope(readonly=True) as session:
        assert len(session.scalars(select(Post.id).execution_options(yield_per=2)).all()) == 5
{%- else %}
    # A server-side cursor needs a transaction, which a read-only unit does not open (README).
    with (
        pytest.raises(DBAPIError, match="named cursor outside of transactions"),
        db.session_scope(readonly=True) as session,
    ):
        session.scalars(select(Post.id).execution_options(yield_per=2)).all()
{%- endif %}
{%- if cookiecutter.database == "mysql" %}


def test_stacked_statements_are_refused(observer: Engine) -> None:
    with db.session_scope() as session:
        session.add(Post(title="kept"))
    injected = "x'; UPDATE posts SET title = 'injected"
    with pytest.raises(DBAPIError, match="1064"), db.session_scope() as session:
        session.execute(text(f"SELECT id FROM posts WHERE title = '{injected}'"))  # pasted on purpose
    assert stored_titles(observer) == ["kept"]
{%- else %}


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
{%- endif %}


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
            assert count(session) == 0
        with pytest.raises(RuntimeError, match="boom"), db.session_scope() as session:
            session.add(Post(title="rolled back"))
            session.flush()
            raise RuntimeError("boom")
        assert stored_titles(observer) == []


def test_a_read_only_unit_sees_each_commit_at_once(observer: Engine) -> None:
    with db.session_scope(readonly=True) as session:
        assert count(session) == 0
        commit_elsewhere(observer, "seen")
        assert count(session) == 1  # no transaction: each statement reads the latest commit
