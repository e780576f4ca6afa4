"""The SQL the tests send to PostgreSQL on their own, outside the app."""

import base64
import hashlib
import hmac

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from app.db.settings import DatabaseSettings

# The server's view of the app's connections.
COUNT_CONNECTIONS = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = :name"
CONNECTION_ID = "SELECT pg_backend_pid()"
KILL = "SELECT pg_terminate_backend(:id)"

# A SELECT whose function writes: the write belongs to the unit's transaction like any other.
CREATE_WRITING_FUNCTION = """
CREATE FUNCTION add_post(new_title text) RETURNS integer LANGUAGE sql AS $$
  INSERT INTO posts (title, body, created_at, updated_at)
  VALUES (new_title, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id
$$
"""
DROP_WRITING_FUNCTION = "DROP FUNCTION IF EXISTS add_post(text)"

# The driver's commit as the proxy sees it go by: a Simple Query message (type, length, text).
COMMIT_ON_THE_WIRE = b"Q\x00\x00\x00\x0bCOMMIT\x00"
# The app user a test creates for itself: its privileges in the current database go first.
DROP_USER = "DROP OWNED BY {user}; DROP ROLE {user}"
# An owner who may create its database and change its schema, but not create users.
CREATE_OWNER = ("CREATE ROLE {user} LOGIN CREATEDB PASSWORD :password",)


def takes_password(owner: DatabaseSettings, username: str, password: str) -> bool:
    """True when the role's stored SCRAM verifier is ``password``'s (RFC 5802's StoredKey).

    Asked of pg_authid, which the owner reads as a superuser: a local server that trusts its
    logins would let any password in, and tell nothing.
    """
    engine = create_engine(owner.url(), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            query = text("SELECT rolpassword FROM pg_authid WHERE rolname = :name")
            stored = connection.scalar(query, {"name": username})
    finally:
        engine.dispose()
    if not stored or not stored.startswith("SCRAM-SHA-256$"):
        return False
    iterations_and_salt, keys = stored.removeprefix("SCRAM-SHA-256$").split("$")
    iterations, salt = iterations_and_salt.split(":")
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    return hashlib.sha256(client_key).digest() == base64.b64decode(keys.split(":")[0])
