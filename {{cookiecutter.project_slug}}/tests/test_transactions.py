"""Lazy transactions, checked against the real server: writes are atomic, errors roll them back."""

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from {{ cookiecutter.package_name }} import db
from {{ cookiecutter.package_name }}.db.settings import DatabaseSettings
from {{ cookiecutter.package_name }}.db.transactions import in_transaction, opens_transaction
from {{ cookiecutter.package_name }}.models import Post

INSERT_POST = (
    "INSERT INTO posts (id, title, body, created_at, updated_at) "
    "VALUES (:id, :title, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)


@pytest.fixture
def observer(settings: DatabaseSettings) -> Iterator[Engine]:
    """A plain connection of its own, which sees only what the app has committed."""
    engine = create_engine(settings.url(), poolclass=NullPool)
    yield engine
    engine.dispose()


def stored_titles(observer: Engine) -> list[str]:
    with observer.connect() as connection:
        return list(connection.scalars(select(Post.title).order_by(Post.id)))


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


def test_reads_open_no_transaction_and_the_first_write_does(observer: Engine) -> None:
    with db.session_scope() as session:
        dbapi_connection = session.connection().connection.dbapi_connection
        assert session.scalar(select(func.count()).select_from(Post)) == 0
        assert not in_transaction(dbapi_connection)
        session.add(Post(title="written"))
        session.flush()
        assert in_transaction(dbapi_connection)
    assert not in_transaction(dbapi_connection)
    assert stored_titles(observer) == ["written"]


def test_autocommit_isolation_turns_lazy_transactions_off(observer: Engine) -> None:
    with db.current().engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text(INSERT_POST), {"id": 10**6 + 1, "title": "autocommitted"})
        assert not in_transaction(connection.connection.dbapi_connection)
        assert stored_titles(observer) == ["autocommitted"]
    with db.session_scope() as session:  # the same connection, lazy again
        session.add(Post(title="atomic"))
        session.flush()
        assert stored_titles(observer) == ["autocommitted"]
    assert sorted(stored_titles(observer)) == ["atomic", "autocommitted"]


@pytest.mark.parametrize(
    ("statement", "opens"),
    [
        ("SELECT * FROM posts WHERE id = 1", False),
        ("  select 1", False),
        ("SHOW TABLES", False),
        ("SELECT * FROM posts FOR UPDATE", True),
        ("SELECT * FROM posts LOCK IN SHARE MODE", True),
        ("INSERT INTO posts (title) VALUES ('x')", True),
        ("UPDATE posts SET title = 'x'", True),
        ("DELETE FROM posts", True),
        ("WITH moved AS (DELETE FROM posts RETURNING id) SELECT 1", True),
        ("SAVEPOINT sa_savepoint_1", True),
        ("CREATE TABLE t (id int)", True),
    ],
)
def test_which_statements_open_the_transaction(statement: str, opens: bool) -> None:
    assert opens_transaction(statement) is opens
