"""The app user on PostgreSQL: created, its login kept in step, and rights on the app's data only.

The role may connect to the database and use the schema ``public``, read and write the rows of
its tables and draw from its sequences (what inserts into identity and serial columns need),
but neither create nor alter nor drop anything. Default privileges give it the same rights on
the tables and sequences the owner creates later, so a revision's new table is usable at once.

PostgreSQL 15 and later let no one but the schema's owner create in ``public``; before 15,
every role may (REVOKE CREATE ON SCHEMA public FROM PUBLIC closes that).
"""

from psycopg2.extensions import encrypt_password
from sqlalchemy import text
from sqlalchemy.engine import Connection

SCHEMA = "public"
DATA_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_RIGHTS = "USAGE, SELECT"
IAM_ROLE = "rds_iam"  # RDS's role for IAM authentication tokens (RDS and Aurora PostgreSQL only)


def keep(connection: Connection, username: str, password: str | None, database: str) -> None:
    """Create ``username`` when missing, give it ``password`` (None: IAM tokens), and the data rights.

    Run again, it sets the password again: that is how a rotated one reaches the server. The
    server is sent the password's SCRAM verifier (libpq's PQencryptPasswordConn), never the
    password itself, which then appears in no statement log.
    """
    quote = connection.dialect.identifier_preparer.quote_identifier
    role, schema = quote(username), quote(SCHEMA)
    if not role_exists(connection, username):
        connection.execute(text(f"CREATE ROLE {role} LOGIN"))
    if password is None:
        connection.execute(text(f"ALTER ROLE {role} LOGIN PASSWORD NULL"))
        grant_or_revoke = "GRANT {iam} TO {role}"
    else:
        verifier = encrypt_password(password, username, connection.connection.dbapi_connection)
        connection.execute(text(f"ALTER ROLE {role} LOGIN PASSWORD :verifier"), {"verifier": verifier})
        grant_or_revoke = "REVOKE {iam} FROM {role}"  # RDS takes only tokens from a member of rds_iam
    if role_exists(connection, IAM_ROLE):  # not on a server of your own
        connection.execute(text(grant_or_revoke.format(iam=quote(IAM_ROLE), role=role)))
    for statement in (
        f"GRANT CONNECT ON DATABASE {quote(database)} TO {role}",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT {DATA_RIGHTS} ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT {SEQUENCE_RIGHTS} ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {DATA_RIGHTS} ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {SEQUENCE_RIGHTS} ON SEQUENCES TO {role}",
    ):
        connection.execute(text(statement))


def role_exists(connection: Connection, name: str) -> bool:
    """True when the server has a role named ``name``."""
    return connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}) is not None
