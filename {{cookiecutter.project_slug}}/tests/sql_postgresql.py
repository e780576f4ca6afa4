"""The SQL the tests send to PostgreSQL on their own, outside the app."""

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
