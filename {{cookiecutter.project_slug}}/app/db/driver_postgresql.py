"""What the runtime needs to know of its driver: here psycopg2, for PostgreSQL and Aurora PostgreSQL."""

import hashlib
import select
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from weakref import WeakKeyDictionary

import psycopg2
from psycopg2 import extensions
from sqlalchemy import DateTime, Table, Text, event, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeEngine

from .. import deadline
from .settings import DatabaseSettings

SERVER_DATABASE = "postgres"  # what to connect to for CREATE and DROP DATABASE: the maintenance database
DATABASE_EXISTS = "SELECT 1 FROM pg_database WHERE datname = :name"
CREATE_DATABASE = "CREATE DATABASE {name} ENCODING 'UTF8'"
TIMESTAMP = DateTime()  # the column type of timestamps: without time zone, holding UTC
LARGE_TEXT = Text()  # text of any length: anything Lambda can answer (6 MB) fits
READ_ONLY_TRANSACTION = "25006"  # SQLSTATE read_only_sql_transaction
LOCK_NOT_AVAILABLE = "55P03"  # SQLSTATE lock_not_available: lock_timeout ran out
DEADLOCK_DETECTED = "40P01"  # SQLSTATE deadlock_detected
CONNECTING = object()  # the read timeout of a connection still opening
# create_engine's arguments for psycopg2: no hstore column, so the dialect does not look the type
# up on every new connection (3 round trips: BEGIN, a pg_type query, ROLLBACK).
ENGINE_ARGS: dict[str, Any] = {"use_native_hstore": False}
_read_timeouts: WeakKeyDictionary[Any, float | None] = WeakKeyDictionary()


def timeout_args(settings: DatabaseSettings) -> dict[str, Any]:
    """The timeouts of libpq.

    ``connect_timeout`` bounds the whole connection, authentication included. A statement is
    bounded by the server (``statement_timeout``, a startup option: no SET, so RDS Proxy does not
    pin the session for it) and a dead peer by TCP: keepalives while waiting for an answer,
    ``tcp_user_timeout`` for data the server never acknowledges.
    """
    args: dict[str, Any] = {"connect_timeout": settings.connect_timeout}
    if settings.read_timeout:
        args["options"] = f"-c statement_timeout={int(settings.read_timeout * 1000)}"
        args |= {
            "keepalives": 1,
            "keepalives_idle": 1,
            "keepalives_interval": 1,
            "keepalives_count": max(1, int(settings.read_timeout) - 1),
        }
    if settings.write_timeout:
        args["tcp_user_timeout"] = int(settings.write_timeout * 1000)
    return args


def tls_args(settings: DatabaseSettings) -> dict[str, Any]:
    """The TLS arguments of libpq: ``verify-full``, the server's certificate and its name checked.

    The certificate must chain to a CA of ``ssl_ca``, or of the system's CAs without one
    (``sslrootcert=system``), and name the host connected to. libpq keeps its TLS state in C.
    """
    if not settings.ssl:
        return {"sslmode": "disable"}  # saves the TLS negotiation round trip
    return {"sslmode": "verify-full", "sslrootcert": settings.ca_bundle() or "system"}


def connect(dialect: Dialect, cargs: list[Any], cparams: dict[str, Any]) -> Any:
    """A new connection, as SQLAlchemy opens it: ``wait_within_deadline`` bounds its waits."""
    return dialect.connect(*cargs, **cparams)


def install(engine: Engine, settings: DatabaseSettings) -> None:
    """Bound every wait of the engine's connections on the client too, with psycopg2's wait callback.

    libpq has no read timeout: a server (or a proxy in front of it) that keeps the connection
    open and never answers would hold the invocation until Lambda kills it. With the callback,
    psycopg2 hands every wait to ``wait_within_deadline``, which gives up after the connect
    timeout while connecting and the read timeout afterwards, or at the invocation's deadline if
    that comes first. The callback is process-wide; connections of other engines (the
    migrations', with no read timeout) wait as long as needed.
    """
    extensions.set_wait_callback(wait_within_deadline)

    @event.listens_for(engine, "first_connect")
    def initialize_in_autocommit(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        """SQLAlchemy's queries about the server, on the first connection, then need no BEGIN and ROLLBACK."""
        dbapi_connection.autocommit = True  # psycopg2's own flag: nothing is sent

    @event.listens_for(engine, "connect")  # after SQLAlchemy's own, which initializes the dialect
    def bound_reads(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        dbapi_connection.autocommit = False  # transactions, as the DBAPI and SQLAlchemy expect
        _read_timeouts[dbapi_connection] = settings.read_timeout


def wait_within_deadline(dbapi_connection: Any) -> None:
    """Wait for libpq as psycopg2's own ``wait_select`` does, but never past the timeout or the deadline."""
    timeout = _read_timeouts.get(dbapi_connection, CONNECTING)
    if timeout is CONNECTING:  # the connection is opening: libpq's connect_timeout, from its DSN
        timeout = float(extensions.parse_dsn(dbapi_connection.dsn).get("connect_timeout", 0)) or None
    bound = deadline.bounded(timeout)
    ends = None if bound is None else time.monotonic() + bound
    while (state := dbapi_connection.poll()) != extensions.POLL_OK:
        remaining = None if ends is None else ends - time.monotonic()
        if remaining is not None and remaining <= 0:
            # The message is one SQLAlchemy recognises as a lost connection: it is discarded.
            raise psycopg2.OperationalError(f"could not receive data from server: no answer in {bound:.3g} s")
        waiting = ([dbapi_connection], []) if state == extensions.POLL_READ else ([], [dbapi_connection])
        select.select(*waiting, [], remaining)


def set_read_only(connection: Connection, read_only: bool) -> None:
    """Switch the session between read-only autocommit and read-write transactions: one round trip."""
    dbapi_connection = connection.connection.dbapi_connection
    dbapi_connection.autocommit = True  # psycopg2's own flag: the SET below opens no transaction
    connection.exec_driver_sql(f"SET default_transaction_read_only = {'on' if read_only else 'off'}")
    dbapi_connection.autocommit = read_only


def acquire_lock(connection: Connection, name: str, timeout: float) -> bool:
    """Take the advisory lock keyed by ``name``, waiting at most ``timeout`` s: False if it did not come.

    Advisory locks belong to the database the connection is in; the lock is the session's until
    ``release_lock``, or until its connection ends. The server's ``lock_timeout`` bounds the wait.
    """
    connection.execute(text("SELECT set_config('lock_timeout', :ms, false)"), {"ms": str(_ms(timeout))})
    try:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _lock_key(name)})
    except DBAPIError as error:
        if getattr(error.orig, "pgcode", None) == LOCK_NOT_AVAILABLE:
            return False
        raise
    finally:
        connection.exec_driver_sql("RESET lock_timeout")
    return True


def release_lock(connection: Connection, name: str) -> None:
    """Release the advisory lock keyed by ``name`` that ``acquire_lock`` took."""
    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _lock_key(name)})


def _lock_key(name: str) -> int:
    """The 64-bit key of an advisory lock, from its name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _ms(seconds: float) -> int:
    """Milliseconds, at least 1 (PostgreSQL reads a lock_timeout of 0 as no limit)."""
    return max(1, int(seconds * 1000))


@contextmanager
def lock_waits_bounded(connection: Connection, seconds: int) -> Iterator[None]:
    """Statements in the block wait at most ``seconds`` for a lock, then fail (``is_lock_conflict``).

    The bound is the transaction's ``lock_timeout``, set back to the session's after the block; a
    failure there aborts the transaction, which takes the setting along.
    """
    connection.execute(text("SELECT set_config('lock_timeout', :ms, true)"), {"ms": str(_ms(seconds))})
    try:
        yield
    finally:
        status = connection.connection.dbapi_connection.info.transaction_status
        if status == extensions.TRANSACTION_STATUS_INTRANS:  # not aborted, not lost
            connection.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")


def insert_new(connection: Connection, table: Table, values: dict[str, Any]) -> bool:
    """Insert the row ``values`` into ``table``: False, inserting nothing, when its key is taken.

    A key another transaction has inserted and not yet committed is waited for: taken if it commits.
    """
    statement = postgresql.insert(table).values(values).on_conflict_do_nothing()
    return connection.execute(statement).rowcount == 1


def is_lock_conflict(error: Exception) -> bool:
    """True when a statement gave up waiting for a lock (``lock_waits_bounded``), or broke a deadlock."""
    return getattr(error, "pgcode", None) in (LOCK_NOT_AVAILABLE, DEADLOCK_DETECTED)


def is_authentication_failure(error: Exception) -> bool:
    """True when the server refused the password (libpq gives no SQLSTATE for it)."""
    return "authentication failed" in str(error)


def is_read_only_violation(error: Exception) -> bool:
    """True when a statement tried to write in a read-only session."""
    return getattr(error, "pgcode", None) == READ_ONLY_TRANSACTION


def column_limits(column_type: TypeEngine[Any]) -> tuple[int | None, int | None]:
    """The most characters and the most bytes a column of ``column_type`` holds (None: no limit)."""
    return getattr(column_type, "length", None), None


def socket_descriptor(dbapi_connection: Any) -> int | None:
    """The connection's socket file descriptor, or None when the driver has closed it."""
    return None if dbapi_connection.closed else dbapi_connection.fileno()
