"""Build the SQLAlchemy engine for a set of database settings."""

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from . import credentials, driver, liveness, tls, transactions
from .settings import DatabaseSettings


def build_engine(settings: DatabaseSettings, database: str | None = None) -> Engine:
    """An engine that keeps at most ``settings.pool`` connections and never opens more.

    Nothing connects until the engine is first used. Every wait is bounded by the settings:
    connecting, each read and write, and waiting for a pooled connection. Connections the server
    closed while the process was idle are replaced on checkout (see ``liveness``); the password
    is supplied per connection (see ``credentials``); units of work start and end their
    transactions as ``transactions`` describes.
    """
    engine = create_engine(
        settings.url(database),
        pool_size=settings.pool,
        max_overflow=0,
        pool_timeout=settings.pool_timeout,
        pool_reset_on_return=None,  # transactions.install rolls back only what is still open
        skip_autocommit_rollback=True,  # no ROLLBACK after a read-only (autocommit) unit
        connect_args=driver.timeout_args(settings) | tls.connect_args(settings),
        **driver.ENGINE_ARGS,
    )
    credentials.install(engine, settings)  # first: its listeners connect with the password they supply
    driver.install(engine, settings)
    transactions.install(engine)
    liveness.install(engine, settings.ping_after_idle)
    return engine
