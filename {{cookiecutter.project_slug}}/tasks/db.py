"""Database tasks, as Rails and Jets have them: invoke db.create, db.migrate, db.rollback ...

Every task takes --env (default: APP_ENV, else development). Each one that writes first checks the
environment the database records (tasks/protection.py); those that run migrations hold the
database's migration lock.
"""

import os

from invoke import Context, task
from sqlalchemy.orm import Session

from app.db.engine import build_engine
from app.db.settings import DatabaseSettings, load_database_settings
from app.environment import PROJECT_ROOT, app_env

from tasks import admin, migrations, seeds
from tasks.console import run_client
from tasks.errors import one_line_errors
from tasks.remote import migrate as run_remotely

ENV_HELP = {"env": "environment of config/database.yml (default: APP_ENV, else development)"}


def settings_for(env: str | None) -> DatabaseSettings:
    """The settings of --env, or of APP_ENV."""
    return load_database_settings(env or app_env())


def with_test_database(env: str | None) -> list[DatabaseSettings]:
    """The environment's settings, and in development the test database's too, as Rails does.

    Not when DATABASE_URL is set (it names one database, as in Rails), and once only when the
    development and test sections name the same database.
    """
    settings = settings_for(env)
    if settings.env != "development" or os.environ.get("DATABASE_URL"):
        return [settings]
    test = settings_for("test")
    same = (test.host, test.port, test.database) == (settings.host, settings.port, settings.database)
    return [settings] if same else [settings, test]


def drop_databases(env: str | None, action: str, force: bool) -> None:
    """Drop the databases of ``env`` once each of them has passed the protection checks."""
    targets = with_test_database(env)
    for settings in targets:
        admin.check(settings, action, force)
    for settings in targets:
        dropped = admin.drop_database(settings)
        print(f"{'Dropped' if dropped else 'Does not exist:'} {settings.database}")


@task(help=ENV_HELP)
@one_line_errors
def create(c: Context, env: str | None = None) -> None:
    """Create the database (in development, the test database too)."""
    for settings in with_test_database(env):
        created = admin.create(settings)
        print(f"{'Created' if created else 'Already exists:'} {settings.database}")


@task(help=ENV_HELP | {"force": "allow dropping a protected environment's database"})
@one_line_errors
def drop(c: Context, env: str | None = None, force: bool = False) -> None:
    """Drop the database (in development, the test database too)."""
    drop_databases(env, "drop", force)


@task(help=ENV_HELP | {"autogenerate": "fill the revision from the models' differences with the database"})
@one_line_errors
def generate(c: Context, name: str, autogenerate: bool = False, env: str | None = None) -> None:
    """Write a new migration: invoke db.generate add_author_to_posts (or AddAuthorToPosts)."""
    path = migrations.generate(settings_for(env), name, autogenerate)
    print(f"Created {path.relative_to(PROJECT_ROOT)}")


@task(help=ENV_HELP | {"name": "the merge revision's name (default: merge_heads)"})
@one_line_errors
def merge(c: Context, name: str = "merge_heads", env: str | None = None) -> None:
    """Write the revision that joins two heads (two branches' new revisions); then db.migrate."""
    path = migrations.merge(settings_for(env), name)
    print(f"Created {path.relative_to(PROJECT_ROOT)}")


@task(
    help=ENV_HELP
    | {
        "target": "revision to migrate to (default: head)",
        "remote": "run them on AWS, through the deployed migrate function (inside the VPC)",
    }
)
@one_line_errors
def migrate(c: Context, env: str | None = None, target: str = "head", remote: bool = False) -> None:
    """Apply pending migrations (up to --target); --remote on the deployed stack."""
    if remote:
        answer = run_remotely(env or app_env(), target)
        if answer["created"]:
            print(f"Created {answer['database']} on AWS")
        previous, current = answer["previous"] or "none", answer["current"] or "none"
        print(f"Migrated {answer['database']} on AWS: {previous} -> {current}")
        return
    _, revision = migrations.migrate(settings_for(env), target)
    print(f"Current version: {revision or 'none'}")


@task(
    help=ENV_HELP
    | {"steps": "how many migrations to revert (default: 1)", "force": "allow it in a protected environment"}
)
@one_line_errors
def rollback(c: Context, env: str | None = None, steps: int = 1, force: bool = False) -> None:
    """Revert the last migration (or --steps N)."""
    revision = migrations.rollback(settings_for(env), steps, force)
    print(f"Current version: {revision or 'none'}")


@task(help=ENV_HELP)
@one_line_errors
def stamp(c: Context, revision: str, env: str | None = None) -> None:
    """Record that the database is at REVISION (or base) without running anything (after a repair)."""
    current = migrations.stamp(settings_for(env), revision)
    print(f"Current version: {current or 'none'}")


@task(help=ENV_HELP)
@one_line_errors
def status(c: Context, env: str | None = None) -> None:
    """List the migrations, each up (applied) or down (pending); applied ones without a file too."""
    settings = settings_for(env)
    state = migrations.history(settings)
    print(f"database: {settings.database}\n\n Status   Migration ID    Migration Name\n{'-' * 50}")
    for revision in migrations.revisions(state):
        print(f"   {revision.status:<6} {revision.id:<15} {revision.name}")
    recovery = migrations.recovery(settings, state)
    if recovery:
        print(f"\n{recovery}")


@task(help=ENV_HELP)
@one_line_errors
def version(c: Context, env: str | None = None) -> None:
    """Print the database's current migration."""
    heads = migrations.history(settings_for(env)).heads
    print(f"Current version: {', '.join(heads) or 'none'}")


@task(help=ENV_HELP)
@one_line_errors
def seed(c: Context, env: str | None = None) -> None:
    """Load the example data of tasks/seeds.py.

    Refused on another environment's database, and while migrations are pending (as Rails' db:seed).
    """
    settings = settings_for(env)
    migrations.check_seed(settings)
    engine = build_engine(settings)
    try:
        with Session(engine) as session, session.begin():
            added = seeds.seed(session)
    finally:
        engine.dispose()
    print(f"Seeded {settings.database}: {added} row(s) added")


@task(help=ENV_HELP)
@one_line_errors
def setup(c: Context, env: str | None = None) -> None:
    """Create the database, migrate it and seed it."""
    create(c, env)
    migrate(c, env)
    seed(c, env)


@task(help=ENV_HELP | {"force": "allow resetting a protected environment's database"})
@one_line_errors
def reset(c: Context, env: str | None = None, force: bool = False) -> None:
    """Drop the database and set it up again."""
    drop_databases(env, "reset", force)
    setup(c, env)


@task(help=ENV_HELP)
@one_line_errors
def console(c: Context, env: str | None = None) -> None:
    """Open the database's own command-line client on it (Jets' dbconsole)."""
    code = run_client(settings_for(env))
    if code:
        raise SystemExit(code)
