"""Alembic, driven from Python: what the invoke tasks and the migrate function call.

Revisions live in migrations/versions and are named like Rails migrations:
<UTC timestamp>_<name>.py, with the timestamp as the revision id.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.exc import DBAPIError

from {{ cookiecutter.package_name }}.db.engine import build_engine
from {{ cookiecutter.package_name }}.db.settings import DatabaseSettings
from {{ cookiecutter.package_name }}.environment import PROJECT_ROOT, on_lambda
from {{ cookiecutter.package_name }}.errors import (
    DatabaseUnavailableError,
    driver_reason,
    is_connection_failure,
)

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
MIGRATION_NAME = re.compile(r"[a-z_][a-z0-9_]*")
REVISION_ID_FORMAT = "%Y%m%d%H%M%S"


class MigrationError(Exception):
    """A migration command cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class Revision:
    """One migration and whether the database has it."""

    id: str
    name: str
    applied: bool


def alembic_config(settings: DatabaseSettings) -> Config:
    """Alembic's configuration, pointed at the database of ``settings``."""
    config = Config(ALEMBIC_INI)
    config.attributes["settings"] = settings
    config.attributes["configure_logging"] = not on_lambda()  # Lambda's JSON logging stays as it is
    return config


def upgrade(settings: DatabaseSettings, target: str = "head") -> str | None:
    """Apply the migrations up to ``target``; return the revision the database is then at."""
    with _alembic_errors(settings):
        command.upgrade(alembic_config(settings), target)
    return current_revision(settings)


def rollback(settings: DatabaseSettings, steps: int = 1) -> str | None:
    """Revert the last ``steps`` migrations; return the revision the database is then at."""
    applied = [revision for revision in revisions(settings) if revision.applied]
    if steps < 1 or steps > len(applied):
        raise MigrationError(f"cannot roll back {steps} migration(s): {len(applied)} applied")
    with _alembic_errors(settings):
        command.downgrade(alembic_config(settings), f"-{steps}")
    return current_revision(settings)


def current_revision(settings: DatabaseSettings) -> str | None:
    """The revision the database is at, or None before the first migration."""
    engine = build_engine(settings)
    try:
        with _connection_errors(settings), engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()  # its connection closes now, not when the garbage collector finds the engine


def revisions(settings: DatabaseSettings) -> list[Revision]:
    """Every migration, oldest first, each marked applied or pending."""
    script = ScriptDirectory.from_config(alembic_config(settings))
    current = current_revision(settings)
    history = script.iterate_revisions(current, "base") if current else []
    applied = {revision.revision for revision in history}
    return [
        Revision(revision.revision, revision.doc, revision.revision in applied)
        for revision in reversed(list(script.walk_revisions()))
    ]


def generate(settings: DatabaseSettings, name: str, autogenerate: bool = False) -> Path:
    """Write a new revision named ``name``; with ``autogenerate``, diffed from the models."""
    if not MIGRATION_NAME.fullmatch(name):
        raise MigrationError(
            f"migration name {name!r} is not an identifier: use lowercase letters, digits and "
            "underscores, e.g. add_author_to_posts"
        )
    config = alembic_config(settings)
    with _alembic_errors(settings):
        script = command.revision(
            config, message=name, autogenerate=autogenerate, rev_id=_new_revision_id(config)
        )
    return Path(script.path)


def _new_revision_id(config: Config) -> str:
    """A UTC timestamp, one second later than any revision that already has it."""
    taken = {revision.revision for revision in ScriptDirectory.from_config(config).walk_revisions()}
    moment = datetime.now(UTC)
    while moment.strftime(REVISION_ID_FORMAT) in taken:
        moment += timedelta(seconds=1)
    return moment.strftime(REVISION_ID_FORMAT)


@contextmanager
def _connection_errors(settings: DatabaseSettings) -> Iterator[None]:
    try:
        yield
    except DBAPIError as error:
        if not is_connection_failure(error):
            raise
        raise DatabaseUnavailableError.because(f"cannot connect to {settings.describe()}", error) from error


@contextmanager
def _alembic_errors(settings: DatabaseSettings) -> Iterator[None]:
    with _connection_errors(settings):
        try:
            yield
        except CommandError as error:
            raise MigrationError(str(error)) from error
        except DBAPIError as error:
            if is_connection_failure(error):
                raise
            raise MigrationError(
                f"a migration failed on {settings.database}: {driver_reason(error)} "
                "(invoke db.status shows which revisions are applied)"
            ) from error
