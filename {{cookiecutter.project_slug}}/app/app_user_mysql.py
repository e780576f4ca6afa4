"""The app user on MySQL: created, its login kept in step, and rights on the app's data only.

An account is ``'name'@'%'``: the functions connect from addresses of the VPC that are not known
in advance. The grant is on the database's tables (``db.*``), present and future, and on nothing
else: no CREATE, ALTER, DROP, INDEX or GRANT OPTION. EXECUTE lets it call the stored routines
the migrations create.
"""

from sqlalchemy import text
from sqlalchemy.engine import Connection

DATA_RIGHTS = "SELECT, INSERT, UPDATE, DELETE, EXECUTE"
# RDS's plugin that checks IAM authentication tokens (RDS and Aurora MySQL only)
IAM_LOGIN = "IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'"


def keep(connection: Connection, username: str, password: str | None, database: str) -> None:
    """Create ``username`` when missing, give it ``password`` (None: IAM tokens), and the data rights.

    Run again, it sets the password again: that is how a rotated one reaches the server. The
    password travels as a bound parameter, escaped by the driver.
    """
    preparer = connection.dialect.identifier_preparer
    account = f"{preparer.quote_identifier(username)}@'%'"
    login = IAM_LOGIN if password is None else "IDENTIFIED BY :password"
    parameters = {} if password is None else {"password": password}
    connection.execute(text(f"CREATE USER IF NOT EXISTS {account} {login}"), parameters)
    connection.execute(text(f"ALTER USER {account} {login}"), parameters)
    # In a grant, _ and % of a database name are wildcards: escaped, they match this database only.
    exact = database.replace("_", r"\_").replace("%", r"\%")
    connection.execute(text(f"GRANT {DATA_RIGHTS} ON {preparer.quote_identifier(exact)}.* TO {account}"))
