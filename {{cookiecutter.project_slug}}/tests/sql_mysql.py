"""The SQL the tests send to MySQL or MariaDB on their own, outside the app."""

from dataclasses import replace

from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from app.db.driver import is_authentication_failure
from app.db.settings import DatabaseSettings

# The server's view of the app's connections.
COUNT_CONNECTIONS = "SELECT COUNT(*) FROM information_schema.processlist WHERE db = :name"
CONNECTION_ID = "SELECT CONNECTION_ID()"
KILL = "KILL :id"

# A SELECT whose function writes: the write belongs to the unit's transaction like any other.
CREATE_WRITING_FUNCTION = """
CREATE FUNCTION add_post(new_title VARCHAR(255)) RETURNS INT MODIFIES SQL DATA
BEGIN
  INSERT INTO posts (title, body, created_at, updated_at)
  VALUES (new_title, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
  RETURN LAST_INSERT_ID();
END
"""
DROP_WRITING_FUNCTION = "DROP FUNCTION IF EXISTS add_post"

# The driver's commit as the proxy sees it go by: a COM_QUERY packet's command byte, then its text.
COMMIT_ON_THE_WIRE = b"\x03COMMIT"
# The app user a test creates for itself.
DROP_USER = "DROP USER IF EXISTS {user}@'%'"
# An owner who may create its database and change its schema, but not create users.
CREATE_OWNER = (
    "CREATE USER {user}@'%' IDENTIFIED BY :password",
    "GRANT ALL ON {database}.* TO {user}@'%'",
)


def takes_password(owner: DatabaseSettings, username: str, password: str) -> bool:
    """True when the server lets ``username`` log in with ``password``."""
    engine = create_engine(replace(owner, username=username, password=password).url(), poolclass=NullPool)
    try:
        with engine.connect():
            return True
    except OperationalError as error:
        if is_authentication_failure(error.orig):
            return False
        raise
    finally:
        engine.dispose()
