"""Whether a task may change a database: the one check every task that writes goes through.

Each database records the environment it belongs to (app/migrate.py, as Rails records it in
``ar_internal_metadata``): ``invoke db.create`` and every migration run write it unless one is
recorded already, and never overwrite it. ``check`` reads it back and refuses

- a database recorded for another environment than the one asked for, whatever ``--env``,
  APP_ENV, DB_* or DATABASE_URL say (Rails: EnvironmentMismatchError); ``--force`` does not lift
  this, while Rails' DISABLE_DATABASE_ENVIRONMENT_CHECK lifts every check;

and, for a task that removes data or schema (``db.rollback``, ``db.reset``, ``db.drop``, the
test suite emptying tables),

- a database of a protected environment, unless forced (Rails: ProtectedEnvironmentError);
- a database that has tables but no record, which this project did not create or migrate
  (Rails: NoEnvironmentInSchemaError).

``db.migrate`` and ``db.seed`` may run on a protected environment's database, as Rails'
``db:migrate`` and ``db:seed`` do. Rails checks only the tasks that remove a database's contents
(``db:drop``, ``db:purge``, ``db:truncate_all``, ``db:schema:load``, hence ``db:reset``), and
lets ``db:rollback`` run anywhere; here the environment is checked before any task writes, and
``db.rollback`` needs ``--force`` where ``db.drop`` does.
"""

from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from app.db.settings import url_variable
from app.migrate import ENVIRONMENT, recorded

# Environments whose databases the tasks that remove data or schema leave alone unless forced.
# Add yours here (e.g. "staging"), as Rails' ActiveRecord.protected_environments.
PROTECTED_ENVIRONMENTS = frozenset({"production"})


class ProtectedDatabaseError(Exception):
    """A task was refused on this database; the message says why and what to do instead."""


def check(connection: Connection, env: str, action: str, removes: bool = False, force: bool = False) -> None:
    """Raise ProtectedDatabaseError unless ``action`` may run on this database of ``env``.

    ``removes``: the action removes data or schema, so a protected environment needs ``force``.
    """
    database = connection.engine.url.database
    environment = recorded(connection, ENVIRONMENT)
    if environment not in (None, env):
        raise ProtectedDatabaseError(
            f"refusing to {action} {database}: it is the {environment!r} database, not the {env!r} one "
            f"(check {url_variable(env)} and config/database.yml)"
        )
    if not removes:
        return
    if environment is None and inspect(connection).get_table_names():
        raise ProtectedDatabaseError(
            f"refusing to {action} {database}: it has tables but no recorded environment, so it may not "
            f"be the {env!r} one (invoke db.migrate --env ENV records the environment it belongs to)"
        )
    if env in PROTECTED_ENVIRONMENTS and not force:  # env is the recorded environment, if there is one
        raise ProtectedDatabaseError(
            f"refusing to {action} {database}: {env!r} is a protected environment; "
            "add --force if you really mean it"
        )
