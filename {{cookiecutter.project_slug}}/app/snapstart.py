"""SnapStart: what the API function does before Lambda snapshots it, and after Lambda restores it.

With SnapStart on (template.yaml's SnapStart parameter), Lambda runs the init of each published
version once, snapshots the execution environment's memory, and starts new environments from that
snapshot: a cold start costs a restore and the first request's login, not the imports.

Before the snapshot, everything that needs no connection is done: the app imported (routes,
schemas, models), each route's validation models built (Powertools builds them on the route's
first request otherwise), the mappers configured, the settings read, the engine built (its
dialect and driver imported) and, when Lambda hands the function credentials that the SDK
refreshes (it does so under SnapStart: the container credentials endpoint), the SDK client the
login needs. Nothing is connected: a connection in the snapshot would be shared by every
environment restored from it, so ``before_snapshot`` refuses one.

After a restore, nothing that must be unique or fresh is reused: the pool is emptied, ``random``
reseeded, the password read from Secrets Manager forgotten (the secret may have been rotated since
the snapshot). IAM tokens are signed per connection, never kept. The connections' idle clocks
(the engine's checkout check) go with the pool. No network call: the hook ends at once even with the database
down (Lambda gives it 10 s).

Lambda's Python runtime provides ``snapshot_restore_py`` and runs the hooks registered with it;
the dev extra installs it for the tests. Elsewhere (sam local, SnapStart off) nothing runs them:
the app starts as it would without SnapStart.
"""

import os
import random
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from sqlalchemy.orm import configure_mappers

from . import aws, db
from .db import credentials
from .db.settings import DatabaseSettings

try:
    from snapshot_restore_py import register_after_restore, register_before_snapshot
except ImportError:  # not Lambda's runtime: nothing snapshots this process

    def register_before_snapshot(hook: Callable[..., Any], *args: Any) -> Callable[..., Any]:
        """Register nothing: no snapshot will be taken."""
        return hook

    register_after_restore = register_before_snapshot

# Set by Lambda when the SDK's credentials come from its endpoint, as they do under SnapStart: the
# SDK then fetches them again when they expire, so a client made before the snapshot stays valid.
CONTAINER_CREDENTIALS = "AWS_CONTAINER_CREDENTIALS_FULL_URI"


class ConnectionInSnapshotError(RuntimeError):
    """A database connection was open when Lambda was about to snapshot the function."""


def register(resolver: APIGatewayHttpResolver) -> None:
    """Have Lambda run ``before_snapshot`` for ``resolver`` and ``after_restore`` (when SnapStart is on)."""
    register_before_snapshot(before_snapshot, resolver)
    register_after_restore(after_restore)


def before_snapshot(resolver: APIGatewayHttpResolver) -> None:
    """Prepare everything that needs no connection; refuse to snapshot an open connection."""
    resolver.get_openapi_schema()  # builds and keeps each route's request and response models
    database = db.current()  # settings read, engine built: dialect and driver imported
    configure_mappers()
    pool = database.engine.pool
    held = pool.checkedout() + pool.checkedin()  # QueuePool's counts
    if held:
        raise ConnectionInSnapshotError(
            f"{held} database connection(s) open before the SnapStart snapshot: every environment "
            "restored from it would share them; connect in the handler, not at import"
        )
    if os.environ.get(CONTAINER_CREDENTIALS):
        login_client(database.settings)


def login_client(settings: DatabaseSettings) -> None:
    """Make the SDK client the first login calls: RDS's to sign IAM tokens, or Secrets Manager's."""
    if settings.iam_auth:
        aws.client("rds")
    elif settings.password_secret:
        aws.client("secretsmanager")


def after_restore() -> None:
    """Forget what the snapshot holds that must be unique or fresh; connect to nothing."""
    db.discard_connections()
    random.seed()  # from os.urandom: each restored environment draws its own numbers
    credentials.forget()
