"""SnapStart's hooks on the real database: what the snapshot holds, and what each restore makes anew.

A restore is simulated as the bench does: a process that has run the init and the before-snapshot
hooks forks, and each child runs the after-restore hooks and a first request. A fork reseeds
``random`` by itself (``os.register_at_fork``), which a snapshot's restore does not: each child
first puts back the parent's random state, so that only the hooks can make the children differ.
"""

import json
import os
import random
import time
from collections.abc import Callable
from typing import Any

import pytest
from snapshot_restore_py import get_after_restore, get_before_snapshot

from app import db, snapstart
from app.db import credentials, driver
from app.db.settings import DatabaseSettings
from app.main import app, handler

from tests.events import invoke
from tests.server import Server
from tests.unit.test_secrets import SECRET, answer, production_from

EMPTY = {"items": [], "next_cursor": None}


def run(hooks: list[tuple[Callable[..., Any], tuple, dict]]) -> None:
    """Run registered hooks as Lambda's runtime does."""
    for hook, args, kwargs in hooks:
        hook(*args, **kwargs)


def restored_child(snapshot_random_state: tuple, report: int, release: int) -> None:
    """In a forked child: restore, serve a first request, report, and wait to be released."""
    try:
        random.setstate(snapshot_random_state)  # what a snapshot holds: undo the fork's own reseeding
        run(get_after_restore())
        status, _ = invoke(handler, "GET /posts")
        with db.session_scope() as session:  # the pool's one connection: the request's
            connection_id = Server.connection_id(session)
        drawn = random.random()  # noqa: S311 (the generator's state is compared: no secret)
        result = {"status": status, "connection_id": connection_id, "random": drawn}
    except Exception as error:  # reported to the parent, which fails the test with it
        result = {"error": repr(error)}
    try:
        os.write(report, json.dumps(result).encode() + b"\n")
        os.read(release, 1)  # alive until both children have reported: no server id is reused meanwhile
    finally:
        os._exit(0)


def test_the_app_s_hooks_are_registered_with_lambda_s_runtime() -> None:
    assert (snapstart.before_snapshot, (app,), {}) in get_before_snapshot()
    assert (snapstart.after_restore, (), {}) in get_after_restore()


# A local AWS service of the test session (an option's) may run in a thread of this process,
# and Python then warns that forking could deadlock a child: the children use neither that service
# nor a lock of its thread (logging's locks are made anew in a forked child).
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded, use of fork:DeprecationWarning")
def test_each_restored_environment_serves_its_first_request_on_its_own_connection_with_its_own_randomness(
    server: Server,
) -> None:
    run(get_before_snapshot())
    assert server.connections_once_closed() == 0  # the snapshot holds no connection
    snapshot_random_state = random.getstate()
    report_out, report_in = os.pipe()
    release_out, release_in = os.pipe()
    children = []
    for _ in range(2):
        child = os.fork()
        if child == 0:
            os.close(report_out)
            os.close(release_in)  # the parent's to close: then every child's read ends
            restored_child(snapshot_random_state, report_in, release_out)
        children.append(child)
    os.close(report_in)
    os.close(release_out)
    with os.fdopen(report_out) as reports:
        results = [json.loads(reports.readline() or '{"error": "the child died"}') for _ in children]
    os.close(release_in)
    for child in children:
        os.waitpid(child, 0)

    assert [result.get("status") for result in results] == [200, 200], results
    first, second = results
    assert first["connection_id"] != second["connection_id"]
    assert first["random"] != second["random"]


def test_a_secret_rotated_after_the_snapshot_is_read_again_after_the_restore(
    settings: DatabaseSettings, monkeypatch: pytest.MonkeyPatch, stub_aws
) -> None:
    stubs = stub_aws("secretsmanager")
    answer(stubs, json.dumps({"password": "rotated-away"}))  # what an init that read the secret kept
    answer(stubs, json.dumps({"password": settings.app_password}))  # the app user's secret once rotated
    production_from(settings, monkeypatch, settings.port)
    db.reset()
    snapstart.before_snapshot(app)
    assert credentials.password(SECRET) == "rotated-away"
    logins: list[str] = []
    connect = driver.connect

    def login(dialect: Any, cargs: list[Any], cparams: dict[str, Any]) -> Any:
        logins.append(cparams["password"])
        return connect(dialect, cargs, cparams)

    monkeypatch.setattr(driver, "connect", login)  # what credentials.py opens each connection with
    snapstart.after_restore()
    assert invoke(handler, "GET /posts") == (200, EMPTY)
    assert logins == [settings.app_password]  # the rotated password at once, not after a refused login


@pytest.mark.parametrize("checked_in", [False, True], ids=["in-use", "pooled"])
def test_a_connection_open_before_the_snapshot_is_refused_loudly(checked_in: bool) -> None:
    with db.session_scope() as session:
        session.connection()
        if not checked_in:
            with pytest.raises(snapstart.ConnectionInSnapshotError, match="1 database connection"):
                snapstart.before_snapshot(app)
    if checked_in:
        with pytest.raises(snapstart.ConnectionInSnapshotError, match="connect in the handler"):
            snapstart.before_snapshot(app)


def test_the_restore_hook_waits_for_no_server(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    """Lambda gives the hook 10 s: with the database out of reach it still ends at once."""
    monkeypatch.setenv("DB_PORT", str(closed_port))
    db.reset()
    snapstart.before_snapshot(app)
    started = time.monotonic()
    snapstart.after_restore()
    assert time.monotonic() - started < 0.5
    assert invoke(handler, "GET /posts")[0] == 503


def test_the_login_client_is_made_before_the_snapshot_only_with_credentials_lambda_refreshes(
    settings: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    monkeypatch.setattr(snapstart.aws, "client", lambda service: made.append(service))
    production_from(settings, monkeypatch, settings.port)
    db.reset()
    snapstart.before_snapshot(app)
    assert made == []  # credentials from the environment: a snapshot would keep them as they are
    monkeypatch.setenv(snapstart.CONTAINER_CREDENTIALS, "http://127.0.0.1:9001/credentials")
    snapstart.before_snapshot(app)
    assert made == ["secretsmanager"]
