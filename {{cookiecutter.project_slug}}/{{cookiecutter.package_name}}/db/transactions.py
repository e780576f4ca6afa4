"""Lazy transactions: a unit of work pays for a transaction only once it writes.

The driver connection runs in autocommit mode, and the transaction of a unit of work
(``session_scope``) is opened lazily, as Rails does:

* reads (``SELECT`` and ``SHOW`` that lock no rows) run as they are, outside any transaction;
* the first other statement (``INSERT``, ``UPDATE``, ``DELETE``, DDL, ``SAVEPOINT``, a locking
  ``SELECT ... FOR UPDATE``, anything not recognised as a read) is sent as ``BEGIN;`` followed by
  that statement, in the same message, so opening the transaction costs no round trip;
* ``COMMIT`` and ``ROLLBACK`` are sent only when a transaction is open (the driver knows from the
  server's replies, without asking), so ending a read-only unit of work, or handing its
  connection back to the pool, costs nothing.

So, plainly: reads that come before the first write of a unit of work run outside its
transaction, each seeing the latest committed data. The first write and everything after it,
reads included, are one transaction: committed together when the unit of work succeeds, and
rolled back together when it raises or loses its connection. A read that must see the same
snapshot as later writes belongs after a write, or should lock (``SELECT ... FOR UPDATE``).

In round trips: fetching a row costs one, inserting a row two (``BEGIN;INSERT``, ``COMMIT``).

SQLAlchemy's ``isolation_level="AUTOCOMMIT"`` (what ``CREATE DATABASE`` needs) turns this off for
as long as it is in force: every statement then commits on its own and no ``BEGIN`` is added.
{%- if cookiecutter.database == "mysql" %}

PyMySQL sends ``BEGIN;INSERT ...`` as one query, which needs the MULTI_STATEMENTS client flag.
With it, a statement built by pasting untrusted text into SQL could smuggle in a second
statement: pass values as parameters (SQLAlchemy always does), never by formatting strings.
{%- endif %}
"""

import re
from typing import Any
{% if cookiecutter.database == "mysql" %}
from pymysql.connections import Connection
from pymysql.constants import CLIENT, SERVER_STATUS
from pymysql.cursors import Cursor
{%- else %}
from psycopg2 import extensions
{%- endif %}
from sqlalchemy import event
from sqlalchemy.engine import Engine

BEGIN = "BEGIN;"
READ = re.compile(r"\s*(?:SELECT|SHOW)\b", re.IGNORECASE)
{%- if cookiecutter.database == "postgresql" %}
ISOLATION_LEVELS = {
    extensions.ISOLATION_LEVEL_READ_UNCOMMITTED: "READ UNCOMMITTED",
    extensions.ISOLATION_LEVEL_READ_COMMITTED: "READ COMMITTED",
    extensions.ISOLATION_LEVEL_REPEATABLE_READ: "REPEATABLE READ",
    extensions.ISOLATION_LEVEL_SERIALIZABLE: "SERIALIZABLE",
}
{%- endif %}
LOCKING = re.compile(
    r"\bFOR\s+(?:UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b|\bLOCK\s+IN\s+SHARE\s+MODE\b", re.IGNORECASE
)


def opens_transaction(statement: object) -> bool:
    """True for a statement that must run inside the transaction (anything but a plain read)."""
    return not isinstance(statement, str) or not READ.match(statement) or bool(LOCKING.search(statement))
{%- if cookiecutter.database == "mysql" %}


def in_transaction(dbapi_connection: Any) -> bool:
    """True while the server holds a transaction open on this connection (no round trip)."""
    return bool((dbapi_connection.server_status or 0) & SERVER_STATUS.SERVER_STATUS_IN_TRANS)


class LazyCursor(Cursor):
    """A cursor that opens the transaction with the first statement that needs it."""

    def execute(self, query: Any, args: Any = None) -> int:
        """Run ``query``, preceded by ``BEGIN`` in the same message when it opens the transaction."""
        if not self.connection.lazy or in_transaction(self.connection) or not opens_transaction(query):
            return super().execute(query, args)
        super().execute(BEGIN + query, args)
        self.nextset()  # past BEGIN's reply, to the statement's own result
        return self.rowcount

    def executemany(self, query: Any, args: Any) -> int | None:
        """Run ``query`` for each of ``args``, inside the transaction."""
        if args and self.connection.lazy and not in_transaction(self.connection):
            super().execute(BEGIN.rstrip(";"))
        return super().executemany(query, args)


class LazyConnection(Connection):
    """A PyMySQL connection in autocommit mode whose commit and rollback cost nothing when idle."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The server starts sessions in autocommit: saying so spares PyMySQL a SET round trip.
        super().__init__(*args, **kwargs, autocommit=True, cursorclass=LazyCursor)
        self.lazy = True

    def autocommit(self, value: bool) -> None:
        """SQLAlchemy's isolation level: AUTOCOMMIT turns lazy transactions off, the others on."""
        super().autocommit(True)  # no round trip: the session already is in autocommit
        self.lazy = not value

    def commit(self) -> None:
        """COMMIT, when a transaction is open."""
        if in_transaction(self):
            super().commit()

    def rollback(self) -> None:
        """ROLLBACK, when a transaction is open."""
        if in_transaction(self):
            super().rollback()


def install(engine: Engine) -> None:
    """Make every connection ``engine`` opens run lazy transactions."""

    @event.listens_for(engine, "do_connect")
    def connect(dialect: Any, record: Any, cargs: list[Any], cparams: dict[str, Any]) -> LazyConnection:
        cparams["client_flag"] = cparams.get("client_flag", 0) | CLIENT.MULTI_STATEMENTS
        return LazyConnection(*cargs, **cparams)
{%- else %}


def in_transaction(dbapi_connection: Any) -> bool:
    """True while the server holds a transaction open on this connection (no round trip)."""
    return dbapi_connection.info.transaction_status != extensions.TRANSACTION_STATUS_IDLE


class LazyCursor(extensions.cursor):
    """A cursor that opens the transaction with the first statement that needs it."""

    def execute(self, query: Any, vars: Any = None) -> None:
        """Run ``query``, preceded by ``BEGIN`` in the same message when it opens the transaction."""
        if not self.connection.lazy or in_transaction(self.connection) or not opens_transaction(query):
            return super().execute(query, vars)
        if not isinstance(query, str):  # a psycopg2.sql object: compose it first
            query = query.as_string(self.connection)
        return super().execute(BEGIN + query, vars)

    def executemany(self, query: Any, vars_list: Any) -> None:
        """Run ``query`` for each of ``vars_list``, inside the transaction."""
        if self.connection.lazy and not in_transaction(self.connection):
            super().execute(BEGIN.rstrip(";"))
        return super().executemany(query, vars_list)


class LazyConnection(extensions.connection):
    """A psycopg2 connection in autocommit mode whose commit and rollback cost nothing when idle."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.autocommit = True  # psycopg2 then sends no BEGIN of its own
        self.cursor_factory = LazyCursor
        self.lazy = True

    def set_isolation_level(self, level: int) -> None:
        """SQLAlchemy's isolation level: AUTOCOMMIT turns lazy transactions off, the others on."""
        self.lazy = False
        if level == extensions.ISOLATION_LEVEL_AUTOCOMMIT:
            return
        name = ISOLATION_LEVELS[level]
        with self.cursor() as cursor:
            cursor.execute(f"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL {name}")
        self.lazy = True

    def commit(self) -> None:
        """COMMIT, when a transaction is open (psycopg2's own commit does nothing in autocommit)."""
        if in_transaction(self):
            with self.cursor() as cursor:
                cursor.execute("COMMIT")

    def rollback(self) -> None:
        """ROLLBACK, when a transaction is open."""
        if in_transaction(self):
            with self.cursor() as cursor:
                cursor.execute("ROLLBACK")


def install(engine: Engine) -> None:
    """Make every connection ``engine`` opens run lazy transactions."""

    @event.listens_for(engine, "do_connect")
    def connect(dialect: Any, record: Any, cargs: list[Any], cparams: dict[str, Any]) -> None:
        cparams["connection_factory"] = LazyConnection
{%- endif %}
