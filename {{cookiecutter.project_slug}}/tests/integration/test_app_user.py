"""The API logs in as the app user, who reads and writes the data and can change no table."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app import db
from app.db.settings import DatabaseSettings
from app.models import Post


def test_the_app_logs_in_as_the_app_user(settings: DatabaseSettings) -> None:
    with db.session_scope(readonly=True) as session:
        user = session.scalar(text("SELECT CURRENT_USER"))
    assert user.split("@")[0] == settings.app_username != settings.username  # user@host, on some servers


def test_the_app_user_reads_writes_and_deletes_rows() -> None:
    with db.session_scope() as session:
        session.add(Post(title="written by the app user"))
    with db.session_scope() as session:
        post = session.scalars(select(Post)).one()
        post.title = "changed by the app user"
    with db.session_scope() as session:
        assert session.scalars(select(Post.title)).all() == ["changed by the app user"]
        session.delete(session.scalars(select(Post)).one())
    with db.session_scope(readonly=True) as session:
        assert session.scalars(select(Post)).all() == []


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE app_user_was_here (id INTEGER PRIMARY KEY)",
        "ALTER TABLE posts ADD COLUMN app_user_was_here INTEGER",
        "CREATE INDEX app_user_was_here ON posts (title)",
        "DROP TABLE posts",
    ],
)
def test_the_app_user_cannot_change_the_schema(statement: str) -> None:
    with pytest.raises(DBAPIError, match=r"(?i)denied|must be owner"), db.session_scope() as session:
        session.execute(text(statement))
    with db.session_scope(readonly=True) as session:
        assert session.scalars(select(Post)).all() == []  # posts is still there, as it was
