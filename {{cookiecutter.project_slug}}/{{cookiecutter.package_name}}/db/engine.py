"""Build the SQLAlchemy engine for a set of database settings."""

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from {{ cookiecutter.package_name }}.db import liveness, tls, transactions
from {{ cookiecutter.package_name }}.db.settings import DatabaseSettings


def build_engine(settings: DatabaseSettings, database: str | None = None) -> Engine:
    """An engine that keeps at most ``settings.pool`` connections and never opens more.

    Nothing connects until the engine is first used. Connections the server closed while the
    process was idle are replaced on checkout (see ``liveness``). Transactions start with the
    first write and cost no round trip of their own (see ``transactions``).
    """
    engine = create_engine(
        settings.url(database),
        pool_size=settings.pool,
        max_overflow=0,
        connect_args={"connect_timeout": settings.connect_timeout, **tls.connect_args(settings)},
    )
    transactions.install(engine)
    liveness.install(engine, settings.ping_after_idle)
    return engine
