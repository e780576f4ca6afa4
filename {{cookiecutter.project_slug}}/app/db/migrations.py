"""Alembic, driven from Python: what the invoke tasks and the migrate function call.

Revisions live in migrations/versions and are named like Rails migrations:
<UTC timestamp>_<name>.py, with the timestamp as the revision id.
"""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy.exc import DBAPIError

from ..environment import PROJECT_ROOT, on_lambda
from ..errors import (
    DatabaseUnavailableError,
    driver_reason,
    is_connection_failure,
)
from .engine import build_engine
from .settings import DatabaseSettings

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
MIGRATION_NAME = re.compile(r"[a-z_][a-z0-9_]*")
WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")  # AddTags, HTTPStatus
REVISION_ID_FORMAT = "%Y%m%d%H%M%S"
NO_FILE = "********** NO FILE **********"  # Rails' name for an applied revision that has no file
FAILED_MIGRATION = (
    "a migration failed on {database}: {reason} (invoke db.status shows which revisions are applied)"
)
UNREADABLE_VERSION = "cannot read the migration version of {database}: {reason}"


class MigrationError(Exception):
    """A migration command cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class Revision:
    """One migration and whether the database has it (None: cannot be told, see ``status``)."""

    id: str
    name: str
    applied: bool | None

    @property
    def status(self) -> str:
        """Up (applied), down (pending), or ? when the database is at a revision that has no file."""
        return {True: "up", False: "down", None: "?"}[self.applied]


@dataclass(frozen=True)
class History:
    """The revisions of migrations/versions, and where the database stands among them."""

    script: ScriptDirectory
    heads: tuple[str, ...]  # the database's current revisions
    missing: tuple[str, ...]  # those of them that have no file here (from another branch, say)
    applied: frozenset[str]  # the revisions known to be applied: the other heads and their ancestors


def alembic_config(settings: DatabaseSettings) -> Config:
    """Alembic's configuration, pointed at the database of ``settings``."""
    config = Config(ALEMBIC_INI)
    config.attributes["settings"] = settings
    config.attributes["configure_logging"] = not on_lambda()  # Lambda's JSON logging stays as it is
    return config


def upgrade(settings: DatabaseSettings, target: str = "head") -> tuple[str | None, str | None]:
    """Apply the migrations up to ``target``; return the revisions the database was and is then at."""
    with _connected(settings) as config:
        state = _history(config)
        _refuse_missing_files(settings, state, "migrate")
        if target == "head":
            _require_one_head(state.script)
        else:
            _refuse_going_back(settings, state, target)
        previous = _current_revision(config)
        with _alembic_errors(settings):
            command.upgrade(config, target)
        return previous, _current_revision(config)


def rollback(settings: DatabaseSettings, steps: int = 1) -> str | None:
    """Revert the last ``steps`` migrations; return the revision the database is then at."""
    if steps < 1:
        raise MigrationError(f"--steps must be a positive number of migrations, not {steps}")
    with _connected(settings) as config:
        state = _history(config)
        _refuse_missing_files(settings, state, "roll back")
        if steps > len(state.applied):
            raise MigrationError(f"cannot roll back {steps} migration(s): {len(state.applied)} applied")
        with _alembic_errors(settings):
            command.downgrade(config, f"-{steps}")
        return _current_revision(config)


def current_revision(settings: DatabaseSettings) -> str | None:
    """The revision the database is at, or None before the first migration."""
    with _connected(settings) as config:
        return _current_revision(config)


def history(settings: DatabaseSettings) -> History:
    """Where the database stands among the revisions of migrations/versions."""
    with _connected(settings) as config:
        return _history(config)


def revisions(settings: DatabaseSettings) -> list[Revision]:
    """Every migration, oldest first, each marked applied or pending; applied ones without a file too.

    Alembic keeps only the database's current revisions, so when one of them has no file here,
    the revisions below it cannot be told applied or pending: they are marked None.
    """
    state = history(settings)
    unknown = None if state.missing else False
    listed = [
        Revision(revision.revision, revision.doc, True if revision.revision in state.applied else unknown)
        for revision in state.script.walk_revisions()
    ]
    listed += [Revision(head, NO_FILE, True) for head in state.missing]
    return sorted(listed, key=lambda revision: revision.id)


def require_migrated(settings: DatabaseSettings) -> None:
    """Raise MigrationError when migrations are pending, as Rails' db:seed does before seeding."""
    pending = [revision for revision in revisions(settings) if revision.applied is False]
    if pending:
        names = ", ".join(f"{revision.id} {revision.name}" for revision in pending)
        raise MigrationError(
            f"{settings.database} has {len(pending)} pending migration(s), {names}: "
            "run invoke db.migrate first"
        )


def generate(settings: DatabaseSettings, name: str, autogenerate: bool = False) -> Path:
    """Write a new revision named ``name`` (snake_case or CamelCase); ``autogenerate`` diffs the models."""
    snake = snake_case(name)
    if not MIGRATION_NAME.fullmatch(snake):
        raise MigrationError(
            f"migration name {name!r} is not an identifier: use letters, digits and underscores, "
            "e.g. add_author_to_posts or AddAuthorToPosts"
        )
    config = alembic_config(settings)
    _require_one_head(ScriptDirectory.from_config(config))
    with _alembic_errors(settings):
        script = command.revision(
            config, message=snake, autogenerate=autogenerate, rev_id=_new_revision_id(config)
        )
    return Path(script.path)


def merge(settings: DatabaseSettings, name: str = "merge_heads") -> Path:
    """Write a revision that joins the heads of migrations/versions (two branches' revisions)."""
    config = alembic_config(settings)
    heads = ScriptDirectory.from_config(config).get_heads()
    if len(heads) < 2:
        only = ", ".join(heads) or "none"
        raise MigrationError(f"nothing to merge: migrations/versions has a single head ({only})")
    with _alembic_errors(settings):
        script = command.merge(config, "heads", message=snake_case(name), rev_id=_new_revision_id(config))
    return Path(script.path)


def snake_case(name: str) -> str:
    """AddTagsToPosts -> add_tags_to_posts, as Rails names migrations; snake_case stays as it is."""
    return WORD_BOUNDARY.sub("_", name).lower()


def _require_one_head(script: ScriptDirectory) -> None:
    heads = script.get_heads()
    if len(heads) > 1:
        named = ", ".join(f"{head} {script.get_revision(head).doc}" for head in sorted(heads))
        raise MigrationError(
            f"migrations/versions has {len(heads)} heads ({named}), as when two branches each add a "
            "revision: invoke db.merge writes the revision that joins them"
        )


def _refuse_missing_files(settings: DatabaseSettings, state: History, action: str) -> None:
    if state.missing:
        raise MigrationError(
            f"cannot {action} {settings.database}: it is at {', '.join(state.missing)}, which has no file "
            "in migrations/versions (from another branch?): check that branch out, roll back there, "
            "then come back"
        )


def _refuse_going_back(settings: DatabaseSettings, state: History, target: str) -> None:
    """db.migrate only moves forward: say so when ``target`` is behind the database."""
    try:
        wanted = state.script.get_revision(target)
    except (CommandError, RevisionError):
        return  # a relative or unknown target: alembic's upgrade says what it makes of it
    if wanted is None or wanted.revision in state.heads or wanted.revision not in state.applied:
        return
    kept = {revision.revision for revision in state.script.iterate_revisions(wanted.revision, "base")}
    steps = len(state.applied - kept)
    raise MigrationError(
        f"{settings.database} is already past {wanted.revision} (at {', '.join(state.heads)}): "
        f"invoke db.rollback --steps {steps} goes back to it"
    )


def _current_revision(config: Config) -> str | None:
    return _read(config, MigrationContext.get_current_revision)


def _history(config: Config) -> History:
    heads = _read(config, MigrationContext.get_current_heads)
    script = ScriptDirectory.from_config(config)
    files = {revision.revision for revision in script.walk_revisions()}
    found = tuple(head for head in heads if head in files)
    ancestors = script.iterate_revisions(found, "base") if found else []
    applied = frozenset(revision.revision for revision in ancestors)
    return History(script, heads, tuple(head for head in heads if head not in files), applied)


def _read[T](config: Config, question: Callable[[MigrationContext], T]) -> T:
    """Ask Alembic about the command's connection, then end the transaction that opened."""
    connection = config.attributes["connection"]
    answer = question(MigrationContext.configure(connection))
    connection.commit()  # each migration then runs in a transaction of its own, as env.py asks
    return answer


def _new_revision_id(config: Config) -> str:
    """A UTC timestamp, one second later than any revision that already has it."""
    taken = {revision.revision for revision in ScriptDirectory.from_config(config).walk_revisions()}
    moment = datetime.now(UTC)
    while moment.strftime(REVISION_ID_FORMAT) in taken:
        moment += timedelta(seconds=1)
    return moment.strftime(REVISION_ID_FORMAT)


@contextmanager
def _connected(settings: DatabaseSettings) -> Iterator[Config]:
    """Alembic's configuration and one connection that every step of a command shares.

    Alembic's cookbook way (``config.attributes["connection"]``, which migrations/env.py uses):
    one engine and one connection per command, without the app's read and write timeouts (DDL
    may run long), disposed when the command ends.
    """
    engine = build_engine(settings.without_time_limits())
    try:
        with _alembic_errors(settings, UNREADABLE_VERSION), engine.connect() as connection:
            config = alembic_config(settings)
            config.attributes["connection"] = connection
            yield config
    finally:
        engine.dispose()


@contextmanager
def _alembic_errors(settings: DatabaseSettings, failure: str = FAILED_MIGRATION) -> Iterator[None]:
    """Alembic's and the driver's errors as one line: MigrationError, or DatabaseUnavailableError."""
    try:
        yield
    except (CommandError, RevisionError) as error:
        raise MigrationError(str(error)) from error
    except DBAPIError as error:
        if is_connection_failure(error):
            doing = f"cannot connect to {settings.describe()}"
            raise DatabaseUnavailableError.because(doing, error) from error
        reason = driver_reason(error)
        raise MigrationError(failure.format(database=settings.database, reason=reason)) from error
