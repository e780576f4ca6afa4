"""The four ways of talking to the database that the bench compares, one invocation per call.

A  the generated app: ``session_scope`` from ``app.db`` (``readonly=True`` for reads, as the
   posts API's GET routes), the ORM's ``session.get`` / ``add``;
B  the floor, as in AWS's tutorial: one raw driver connection opened at module scope, in
   autocommit, never checked nor recovered;
C  the naive style: connect, run the statement, commit, close, on every invocation;
D  what most people write: ``create_engine(url, pool_pre_ping=True)`` and a ``Session`` per
   invocation.

Each variant has ``read(post_id)`` (fetch one post by id) and ``write(title)`` (insert one post,
returning its id). Importing this module imports no driver: the bench's cold-start floor must
not pay for it.
"""

import importlib
import sys
from datetime import UTC, datetime
from typing import Any

NAMES = {"A": "generated app", "B": "raw connection", "C": "connect per call", "D": "engine + pre-ping"}
USERS = {"mysql": "root", "postgresql": "postgres"}
URL_SCHEMES = {"mysql": "mysql+pymysql", "postgresql": "postgresql+psycopg2"}
SELECT_POST = "SELECT id, title, body, created_at, updated_at FROM posts WHERE id = %s"
INSERT_POST = "INSERT INTO posts (title, body, created_at, updated_at) VALUES (%s, '', %s, %s)"


def connect(database: str, port: int, name: str, autocommit: bool) -> Any:
    """A raw driver connection, as the driver's documentation opens one."""
    if database == "mysql":
        import pymysql

        return pymysql.connect(
            host="127.0.0.1", port=port, user=USERS[database], database=name, autocommit=autocommit
        )
    import psycopg2

    connection = psycopg2.connect(host="127.0.0.1", port=port, user=USERS[database], dbname=name)
    connection.autocommit = autocommit
    return connection


def insert(database: str, cursor: Any, title: str) -> int:
    """Insert a post with a raw cursor; its id."""
    now = datetime.now(UTC).replace(tzinfo=None)
    if database == "mysql":
        cursor.execute(INSERT_POST, (title, now, now))
        return cursor.lastrowid
    cursor.execute(INSERT_POST + " RETURNING id", (title, now, now))
    return cursor.fetchone()[0]


class GeneratedApp:
    """A: the generated project's unit of work and ORM."""

    def __init__(self, database: str, port: int, name: str) -> None:
        db = importlib.import_module("app.db")
        post = importlib.import_module("app.models").Post

        def read(post_id: int) -> str:
            with db.session_scope(readonly=True) as session:
                return session.get(post, post_id).title

        def write(title: str) -> int:
            with db.session_scope() as session:
                created = post(title=title, body="")
                session.add(created)
                session.flush()
                return created.id

        self.read, self.write = read, write
        self.db = db

    def close(self) -> None:
        self.db.reset()


class RawConnection:
    """B: one connection at module scope, autocommit, no recovery."""

    def __init__(self, database: str, port: int, name: str) -> None:
        self.database = database
        self.connection = connect(database, port, name, autocommit=True)

    def read(self, post_id: int) -> str:
        cursor = self.connection.cursor()
        cursor.execute(SELECT_POST, (post_id,))
        title = cursor.fetchone()[1]
        cursor.close()
        return title

    def write(self, title: str) -> int:
        cursor = self.connection.cursor()
        post_id = insert(self.database, cursor, title)
        cursor.close()
        return post_id

    def close(self) -> None:
        self.connection.close()


class ConnectPerCall:
    """C: connect, query, commit and close on every invocation."""

    def __init__(self, database: str, port: int, name: str) -> None:
        self.arguments = (database, port, name)

    def read(self, post_id: int) -> str:
        connection = connect(*self.arguments, autocommit=False)
        try:
            cursor = connection.cursor()
            cursor.execute(SELECT_POST, (post_id,))
            return cursor.fetchone()[1]
        finally:
            connection.close()

    def write(self, title: str) -> int:
        connection = connect(*self.arguments, autocommit=False)
        try:
            post_id = insert(self.arguments[0], connection.cursor(), title)
            connection.commit()
            return post_id
        finally:
            connection.close()

    def close(self) -> None:
        pass


class EngineWithPrePing:
    """D: a plain engine with pool_pre_ping=True, and a Session per invocation."""

    def __init__(self, database: str, port: int, name: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session

        user = USERS[database]
        self.engine = create_engine(
            f"{URL_SCHEMES[database]}://{user}@127.0.0.1:{port}/{name}", pool_pre_ping=True
        )
        self.session = Session
        self.post = importlib.import_module("app.models").Post

    def read(self, post_id: int) -> str:
        with self.session(self.engine) as session, session.begin():
            return session.get(self.post, post_id).title

    def write(self, title: str) -> int:
        with self.session(self.engine) as session, session.begin():
            created = self.post(title=title, body="")
            session.add(created)
            session.flush()
            return created.id

    def close(self) -> None:
        self.engine.dispose()


VARIANTS = {"A": GeneratedApp, "B": RawConnection, "C": ConnectPerCall, "D": EngineWithPrePing}


def build(letter: str, database: str, port: int, name: str) -> Any:
    """Variant ``letter`` talking to ``name`` on 127.0.0.1:``port``."""
    return VARIANTS[letter](database, port, name)


def serve(letter: str, database: str, port: int, name: str, invocations: int) -> None:
    """An execution environment: serve reads, say "done", hold on until standard input closes."""
    import time

    variant = build(letter, database, port, name)
    first = variant.write("serve")
    for _ in range(invocations):
        variant.read(first)
        time.sleep(0.002)
    print("done", flush=True)
    sys.stdin.read()
