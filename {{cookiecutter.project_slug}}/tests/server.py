"""Ask the database server itself what the app is doing: its connections, and killing them."""

import time

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.db.driver import SERVER_DATABASE
from app.db.engine import build_engine
from app.db.settings import DatabaseSettings

from tests.sql import CONNECTION_ID, COUNT_CONNECTIONS, KILL


class Server:
    """An observer connected to the server, outside the app's database and pool."""

    def __init__(self, settings: DatabaseSettings) -> None:
        self.settings = settings
        self.engine: Engine = build_engine(settings, database=SERVER_DATABASE)

    def connections(self) -> int:
        """How many connections the server has open to the app's database."""
        with self.engine.connect() as connection:
            return connection.scalar(text(COUNT_CONNECTIONS), {"name": self.settings.database})

    def connections_once_closed(self, within: float = 10) -> int:
        """The app's connections, once those closed by the client have left the server's list.

        A server drops a closed connection from its list a moment after the client has gone.
        """
        deadline = time.monotonic() + within
        while (count := self.connections()) and time.monotonic() < deadline:
            time.sleep(0.01)
        return count

    def kill(self, connection_id: int) -> None:
        """Close one of the app's connections from the server side, and wait until it is gone."""
        with self.engine.connect() as connection:
            connection.execute(text(KILL), {"id": connection_id})
        self.connections_once_closed()

    @staticmethod
    def connection_id(session: Session) -> int:
        """The server's id for the connection ``session`` uses."""
        return session.scalar(text(CONNECTION_ID))
