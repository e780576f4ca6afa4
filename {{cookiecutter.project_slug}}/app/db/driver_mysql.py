"""What the runtime needs to know of its driver: here PyMySQL, for MySQL, MariaDB and Aurora MySQL."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.dialects import mysql
from sqlalchemy.dialects.mysql import DATETIME, MEDIUMTEXT
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import TypeEngine

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
ENGINE_OPTIONS: dict[str, Any] = {}  # the dialect's defaults serve


def timeout_args(settings: DatabaseSettings) -> dict[str, Any]:
    """PyMySQL's timeouts: TCP connect, then every read (the handshake included) and every write."""
    return {
        "connect_timeout": settings.connect_timeout,
        "read_timeout": settings.read_timeout,
        "write_timeout": settings.write_timeout,
    }


def install(engine: Engine, settings: DatabaseSettings) -> None:
    """Nothing to add to the engine: PyMySQL bounds every wait itself (see ``timeout_args``)."""


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
