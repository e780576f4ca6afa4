"""Alembic, driven from Python: what the invoke db tasks call (status, rollback, stamp, merge ...).

Every command that changes a database holds its migration lock and passes the protection check
(tasks/protection.py) first; db.migrate then runs the migrate function's own core (app/migrate.py).
Revisions live in migrations/versions and are named like Rails migrations:
<UTC timestamp>_<name>.py, with the timestamp as the revision id.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command, util
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError

from app.db.settings import DatabaseSettings
from app.environment import DEFAULT_ENV, PROJECT_ROOT
from app.migrate import (
    RUNNING,
    MigrationError,
    alembic_config,
    connected,
    current_revision,
    keep_app_user,
    migration_lock,
    one_line,
    read,
    record_finished,
    recorded,
    refuse_unfinished,
    upgrade,
)

from tasks import protection

MIGRATION_NAME = re.compile(r"[a-z_][a-z0-9_]*")
WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")  # AddTags, HTTPStatus
REVISION_ID_FORMAT = "%Y%m%d%H%M%S"
NO_FILE = "********** NO FILE **********"  # Rails' name for an applied revision that has no file
STOPPED = "(stopped midway: see below)"


@dataclass(frozen=True)
class Revision:
    """One migration and whether the database has it (None: cannot be told, see ``revisions``)."""

    id: str
    name: str
    applied: bool | None

    @property
    def status(self) -> str:
        """Up (applied), down (pending), or ? when it cannot be told."""
        return {True: "up", False: "down", None: "?"}[self.applied]


@dataclass(frozen=True)
class History:
    """The revisions of migrations/versions, and where the database stands among them."""

    script: ScriptDirectory
    heads: tuple[str, ...]  # the database's current revisions
    missing: tuple[str, ...]  # those of them that have no file here (from another branch, say)
    applied: frozenset[str]  # the revisions known to be applied: the other heads and their ancestors
    running: tuple[str, str] | None  # a revision that started and did not finish: (direction, id)


def migrate(settings: DatabaseSettings, target: str = "head") -> tuple[str | None, str | None]:
    """Apply the migrations up to ``target``, keep the app user; the revisions the database was and is at."""
    with _changing(settings, "migrate") as config:
        state = _history(config)
        _refuse_missing_files(settings, state, "migrate")
        if target == "head":
            _require_one_head(state.script)
        else:
            _refuse_going_back(settings, state, target)
        revisions = upgrade(config, target)
        keep_app_user(config.attributes["connection"], settings)
        return revisions


def rollback(settings: DatabaseSettings, steps: int = 1, force: bool = False) -> str | None:
    """Revert the last ``steps`` migrations; return the revision the database is then at."""
    if steps < 1:
        raise MigrationError(f"--steps must be a positive number of migrations, not {steps}")
    with _changing(settings, "roll back", removes=True, force=force) as config:
        state = _history(config)
        _refuse_missing_files(settings, state, "roll back")
        if steps > len(state.applied):
            raise MigrationError(f"cannot roll back {steps} migration(s): {len(state.applied)} applied")
        with one_line(settings):
            command.downgrade(config, f"-{steps}")
        return current_revision(config)


def stamp(settings: DatabaseSettings, revision: str) -> str | None:
    """Record that the database is at ``revision`` (or base), running nothing; forget a stopped one.

    After a revision stopped midway and its changes were undone or completed by hand, this
    records where the schema really is, as ``alembic stamp`` does.
    """
    with _changing(settings, "stamp") as config:
        script = ScriptDirectory.from_config(config)
        with one_line(settings):
            script.get_revision(revision)  # an unknown revision is refused before anything is written
        connection = config.attributes["connection"]
        with one_line(settings), connection.begin():
            MigrationContext.configure(connection).stamp(script, revision)
            record_finished(connection)
        return current_revision(config)


def history(settings: DatabaseSettings) -> History:
    """Where the database stands among the revisions of migrations/versions."""
    with connected(settings) as config:
        return _history(config)


def revisions(state: History) -> list[Revision]:
    """Every migration, oldest first, each marked applied or pending; applied ones without a file too.

    Alembic keeps only the database's current revisions, so when one of them has no file here,
    the revisions below it cannot be told applied or pending: they are marked None, as is a
    revision that stopped midway.
    """
    unknown = None if state.missing else False
    stopped = state.running[1] if state.running else None
    listed = [
        Revision(revision.revision, revision.doc, True if revision.revision in state.applied else unknown)
        for revision in state.script.walk_revisions()
        if revision.revision != stopped
    ]
    listed += [Revision(head, NO_FILE, True) for head in state.missing]
    if stopped:
        found = _find(state.script, stopped)
        listed.append(Revision(stopped, f"{found.doc if found else NO_FILE} {STOPPED}", None))
    return sorted(listed, key=lambda revision: revision.id)


def command_for(settings: DatabaseSettings, task: str) -> str:
    """``invoke TASK`` as the user runs it on this environment (``--env test`` outside development)."""
    return f"invoke {task}" + ("" if settings.env == DEFAULT_ENV else f" --env {settings.env}")


def recovery(settings: DatabaseSettings, state: History) -> str | None:
    """How to recover from the revision that stopped midway, or None when none did."""
    if state.running is None:
        return None
    direction, stopped = state.running
    script = _find(state.script, stopped)
    if script is None:
        return f"{stopped} stopped midway through its {direction}; check out the branch that has its file"
    before = " ".join(util.to_tuple(script.down_revision)) or "base"
    undone, done = (before, stopped) if direction == "upgrade" else (stopped, before)
    path = Path(script.path).relative_to(PROJECT_ROOT)
    return (
        f"{stopped} {script.doc} stopped midway through its {direction}: what it did before it stopped "
        f"stays (the server commits DDL statement by statement). Undo that by hand (see {direction}() "
        f"in {path}), then {command_for(settings, 'db.stamp')} {undone}; or finish it by hand, then "
        f"{command_for(settings, 'db.stamp')} {done}."
    )


def check_seed(settings: DatabaseSettings) -> None:
    """Raise unless db.seed may run: on this environment's database, with no migration pending.

    Rails' db:seed checks the latter only (the protection check is this project's).
    """
    with connected(settings) as config:
        protection.check(config.attributes["connection"], settings.env, "seed")
        refuse_unfinished(config.attributes["connection"])
        state = _history(config)
    pending = [revision for revision in revisions(state) if revision.applied is False]
    if pending:
        names = ", ".join(f"{revision.id} {revision.name}" for revision in pending)
        raise MigrationError(
            f"{settings.database} has {len(pending)} pending migration(s), {names}: "
            f"run {command_for(settings, 'db.migrate')} first"
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
    with one_line(settings):
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
    with one_line(settings):
        script = command.merge(config, "heads", message=snake_case(name), rev_id=_new_revision_id(config))
    return Path(script.path)


def snake_case(name: str) -> str:
    """AddTagsToPosts -> add_tags_to_posts, as Rails names migrations; snake_case stays as it is."""
    return WORD_BOUNDARY.sub("_", name).lower()


@contextmanager
def _changing(
    settings: DatabaseSettings, action: str, removes: bool = False, force: bool = False
) -> Iterator[Config]:
    """The command's configuration and connection, under the database's migration lock.

    Yielded once the protection check (tasks/protection.py) has let ``action`` through.
    """
    with migration_lock(settings), connected(settings) as config:
        connection = config.attributes["connection"]
        protection.check(connection, settings.env, action, removes, force)
        connection.commit()  # Alembic then begins and commits each revision's transaction itself
        yield config


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
        f"{command_for(settings, 'db.rollback')} --steps {steps} goes back to it"
    )


def _history(config: Config) -> History:
    heads = read(config, MigrationContext.get_current_heads)
    script = ScriptDirectory.from_config(config)
    files = {revision.revision for revision in script.walk_revisions()}
    found = tuple(head for head in heads if head in files)
    ancestors = script.iterate_revisions(found, "base") if found else []
    applied = frozenset(revision.revision for revision in ancestors)
    running = read(config, lambda context: recorded(context.connection, RUNNING))
    stopped = tuple(running.split()) if running else None
    return History(script, heads, tuple(head for head in heads if head not in files), applied, stopped)


def _find(script: ScriptDirectory, revision: str) -> Script | None:
    """The script of ``revision``, or None when migrations/versions has no file for it."""
    try:
        return script.get_revision(revision)
    except (CommandError, RevisionError):
        return None


def _new_revision_id(config: Config) -> str:
    """A UTC timestamp, one second later than any revision that already has it."""
    taken = {revision.revision for revision in ScriptDirectory.from_config(config).walk_revisions()}
    moment = datetime.now(UTC)
    while moment.strftime(REVISION_ID_FORMAT) in taken:
        moment += timedelta(seconds=1)
    return moment.strftime(REVISION_ID_FORMAT)
