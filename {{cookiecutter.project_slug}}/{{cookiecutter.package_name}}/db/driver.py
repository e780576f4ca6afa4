{%- if cookiecutter.database == "mysql" -%}
"""What the runtime needs to know of its driver: here PyMySQL, for MySQL, MariaDB and Aurora MySQL."""

from typing import Any

from sqlalchemy.engine import Dialect

from {{ cookiecutter.package_name }}.db.settings import DatabaseSettings

ACCESS_DENIED = 1045  # ER_ACCESS_DENIED_ERROR: wrong user or password
READ_ONLY_TRANSACTION = 1792  # ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION (SQLSTATE 25006)


def timeout_args(settings: DatabaseSettings) -> dict[str, Any]:
    """PyMySQL's timeouts: TCP connect, then every read (the handshake included) and every write."""
    return {
        "connect_timeout": settings.connect_timeout,
        "read_timeout": settings.read_timeout,
        "write_timeout": settings.write_timeout,
    }


def set_read_only(dbapi_connection: Any, dialect: Dialect, read_only: bool) -> None:
    """Switch the session between read-only autocommit and read-write transactions: one round trip."""
    # MySQL 5.7.20+ and MariaDB 11.1+ call it transaction_read_only; older MariaDB, tx_read_only.
    mariadb_before_11_1 = dialect.is_mariadb and dialect.server_version_info < (11, 1)
    variable = "tx_read_only" if mariadb_before_11_1 else "transaction_read_only"
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET SESSION autocommit = {int(read_only)}, SESSION {variable} = {int(read_only)}")


def is_authentication_failure(error: Exception) -> bool:
    """True when the server refused the user name or password."""
    return error.args[:1] == (ACCESS_DENIED,)


def is_read_only_violation(error: Exception) -> bool:
    """True when a statement tried to write in a read-only session."""
    return error.args[:1] == (READ_ONLY_TRANSACTION,)


def socket_descriptor(dbapi_connection: Any) -> int | None:
    """The connection's socket file descriptor, or None when the driver has closed it."""
    sock = dbapi_connection._sock  # PyMySQL keeps no public handle on its socket
    return None if sock is None else sock.fileno()
{%- else -%}
"""What the runtime needs to know of its driver: here psycopg2, for PostgreSQL and Aurora PostgreSQL."""

from typing import Any

from sqlalchemy.engine import Dialect

from {{ cookiecutter.package_name }}.db.settings import DatabaseSettings

READ_ONLY_TRANSACTION = "25006"  # SQLSTATE read_only_sql_transaction


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


def set_read_only(dbapi_connection: Any, dialect: Dialect, read_only: bool) -> None:
    """Switch the session between read-only autocommit and read-write transactions: one round trip."""
    dbapi_connection.set_session(readonly=read_only or "default", autocommit=read_only)


def is_authentication_failure(error: Exception) -> bool:
    """True when the server refused the password (libpq gives no SQLSTATE for it)."""
    return "authentication failed" in str(error)


def is_read_only_violation(error: Exception) -> bool:
    """True when a statement tried to write in a read-only session."""
    return getattr(error, "pgcode", None) == READ_ONLY_TRANSACTION


def socket_descriptor(dbapi_connection: Any) -> int | None:
    """The connection's socket file descriptor, or None when the driver has closed it."""
    return None if dbapi_connection.closed else dbapi_connection.fileno()
{%- endif %}
