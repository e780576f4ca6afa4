"""What the runtime needs to know of its driver: here PyMySQL, for MySQL, MariaDB and Aurora MySQL."""

import encodings.idna  # noqa: F401  socket encodes host names with it: imported now, not on first connect
import functools
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pymysql.connections import Connection as PyMySQLConnection
from sqlalchemy import Table, event, insert, text
from sqlalchemy.dialects import mysql
from sqlalchemy.dialects.mysql import DATETIME, MEDIUMTEXT
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeEngine

from .. import deadline
from .settings import DatabaseSettings

SERVER_DATABASE = ""  # what to connect to for CREATE and DROP DATABASE: the server, no database
DATABASE_EXISTS = "SELECT 1 FROM information_schema.schemata WHERE schema_name = :name"
CREATE_DATABASE = "CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
TIMESTAMP = DATETIME(fsp=6)  # the column type of timestamps: microseconds, as Rails stores them
LARGE_TEXT = MEDIUMTEXT()  # text of up to 16 MB: anything Lambda can answer (6 MB) fits
# The text types hold at most this many bytes, whatever the characters (utf8mb4: 1 to 4 each).
TEXT_BYTES = {"TINYTEXT": 255, "TEXT": 65_535, "MEDIUMTEXT": 16_777_215, "LONGTEXT": 4_294_967_295}
ACCESS_DENIED = 1045  # ER_ACCESS_DENIED_ERROR: wrong user or password
READ_ONLY_TRANSACTION = 1792  # ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION (SQLSTATE 25006)
DUPLICATE_KEY = 1062  # ER_DUP_ENTRY
LOCK_CONFLICTS = (1205, 1213)  # ER_LOCK_WAIT_TIMEOUT, ER_LOCK_DEADLOCK
EXPIRED = 0.001  # the timeout of a wait past the deadline: the socket gives up at once
ENGINE_ARGS: dict[str, Any] = {}  # create_engine's arguments for PyMySQL: none


def timeout_args(settings: DatabaseSettings) -> dict[str, Any]:
    """PyMySQL's timeouts: TCP connect, then every read (the handshake included) and every write."""
    return {
        "connect_timeout": settings.connect_timeout,
        "read_timeout": settings.read_timeout,
        "write_timeout": settings.write_timeout,
    }


@functools.cache
def client_context(ca_file: str | None) -> ssl.SSLContext:
    """A client TLS context that verifies the server, shared by every connection of the process.

    The server's certificate must chain to a CA of ``ca_file`` (the system's CAs without one) and
    name the host connected to: PyMySQL's ``ssl_verify_cert`` and ``ssl_verify_identity`` with
    ``ssl_ca``, in a context built once (it costs milliseconds) rather than on every connect.
    """
    return ssl.create_default_context(cafile=ca_file)


def tls_args(settings: DatabaseSettings) -> dict[str, Any]:
    """PyMySQL's TLS arguments for these settings."""
    if not settings.ssl:
        # Without this PyMySQL builds a fresh TLS context on every connect, to offer TLS.
        return {"ssl_disabled": True}
    return {"ssl": client_context(settings.ca_bundle())}


class BoundedTimeout:
    """A timeout attribute of PyMySQL's connection that answers the smaller of its value and the time left."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.configured = f"_configured_{name.lstrip('_')}"

    def __get__(self, connection: PyMySQLConnection, owner: type | None = None) -> float | None:
        timeout = deadline.bounded(getattr(connection, self.configured))
        return EXPIRED if timeout == 0 else timeout

    def __set__(self, connection: PyMySQLConnection, value: float | None) -> None:
        setattr(connection, self.configured, value)


class BoundedConnection(PyMySQLConnection):
    """PyMySQL's connection, each of whose waits also ends by the invocation's deadline.

    PyMySQL bounds a wait by plain attributes, read again for every packet: ``connect_timeout``
    when it opens the socket, ``_read_timeout`` before each packet it reads (the handshake's
    included) and ``_write_timeout`` before each it writes. It has no public hook per wait, so
    here these attributes are ``BoundedTimeout``s. A wait past the deadline times out at once:
    PyMySQL closes the connection and raises OperationalError, which SQLAlchemy takes for a
    lost connection, as for any other timeout.
    """

    connect_timeout = BoundedTimeout()
    _read_timeout = BoundedTimeout()
    _write_timeout = BoundedTimeout()


def connect(dialect: Dialect, cargs: list[Any], cparams: dict[str, Any]) -> BoundedConnection:
    """A new connection whose waits end by the deadline; ``cparams`` as SQLAlchemy gives them to PyMySQL.

    It opens in the server's autocommit mode (PyMySQL's ``autocommit=None``): SQLAlchemy's queries
    about the server, on the first connection, then need no ROLLBACK. ``install`` turns it off next.
    """
    return BoundedConnection(*cargs, **cparams, autocommit=None)


def install(engine: Engine, settings: DatabaseSettings) -> None:
    """Open the engine's connections as ``BoundedConnection``: PyMySQL bounds each wait (``timeout_args``)."""

    @event.listens_for(engine, "do_connect")
    def open_bounded(
        dialect: Dialect, record: ConnectionPoolEntry, cargs: list[Any], cparams: dict[str, Any]
    ) -> BoundedConnection:
        return connect(dialect, cargs, cparams)

    @event.listens_for(engine, "connect")  # after SQLAlchemy's own, which initializes the dialect
    def use_transactions(dbapi_connection: BoundedConnection, record: ConnectionPoolEntry) -> None:
        dbapi_connection.autocommit(False)  # as the DBAPI and SQLAlchemy expect: SET AUTOCOMMIT = 0


def set_read_only(connection: Connection, read_only: bool) -> None:
    """Switch the session between read-only autocommit and read-write transactions: one round trip."""
    # MySQL 5.7.20+ and MariaDB 11.1+ call it transaction_read_only; older MariaDB, tx_read_only.
    dialect = connection.dialect
    mariadb_before_11_1 = dialect.is_mariadb and dialect.server_version_info < (11, 1)
    variable = "tx_read_only" if mariadb_before_11_1 else "transaction_read_only"
    flag = int(read_only)
    connection.exec_driver_sql(f"SET SESSION autocommit = {flag}, SESSION {variable} = {flag}")


def acquire_lock(connection: Connection, name: str, timeout: float) -> bool:
    """Take the named lock ``name`` (server-wide), waiting at most ``timeout`` s: False if it did not come.

    The lock is the session's until ``release_lock``, or until its connection ends.
    """
    taken = connection.scalar(text("SELECT GET_LOCK(:name, :timeout)"), {"name": name, "timeout": timeout})
    return taken == 1


def release_lock(connection: Connection, name: str) -> None:
    """Release the named lock ``name`` that ``acquire_lock`` took."""
    connection.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": name})


@contextmanager
def lock_waits_bounded(connection: Connection, seconds: int) -> Iterator[None]:
    """Statements in the block wait at most ``seconds`` (whole) for a row lock, then fail.

    The bound is the session's ``innodb_lock_wait_timeout``, set back to the server's after the block.
    """
    connection.exec_driver_sql(f"SET SESSION innodb_lock_wait_timeout = {int(seconds)}")
    try:
        yield
    finally:
        if not connection.invalidated:
            connection.exec_driver_sql("SET SESSION innodb_lock_wait_timeout = DEFAULT")


def insert_new(connection: Connection, table: Table, values: dict[str, Any]) -> bool:
    """Insert the row ``values`` into ``table``: False, inserting nothing, when its key is taken.

    A key another transaction has inserted and not yet committed is waited for: taken if it commits.
    A failed statement leaves MySQL's transaction open: the unit of work goes on.
    """
    try:
        connection.execute(insert(table).values(values))
    except IntegrityError as error:
        if error.orig.args[:1] == (DUPLICATE_KEY,):
            return False
        raise
    return True


def is_lock_conflict(error: Exception) -> bool:
    """True when a statement gave up waiting for a lock (``lock_waits_bounded``), or broke a deadlock."""
    return bool(error.args) and error.args[0] in LOCK_CONFLICTS


def is_authentication_failure(error: Exception) -> bool:
    """True when the server refused the user name or password."""
    return error.args[:1] == (ACCESS_DENIED,)


def is_read_only_violation(error: Exception) -> bool:
    """True when a statement tried to write in a read-only session."""
    return error.args[:1] == (READ_ONLY_TRANSACTION,)


def column_limits(column_type: TypeEngine[Any]) -> tuple[int | None, int | None]:
    """The most characters and the most bytes a column of ``column_type`` holds (None: no limit)."""
    name = column_type.compile(dialect=mysql.dialect()).split("(")[0]
    if name in TEXT_BYTES:
        return None, TEXT_BYTES[name]
    return getattr(column_type, "length", None), None


def socket_descriptor(dbapi_connection: Any) -> int | None:
    """The connection's socket file descriptor, or None when the driver has closed it."""
    sock = dbapi_connection._sock  # PyMySQL keeps no public handle on its socket
    return None if sock is None else sock.fileno()
