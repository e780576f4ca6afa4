"""The connection runtime, checked by asking the server itself."""

import subprocess
import sys
import threading

import pytest
from sqlalchemy import func, select

from app import db
from app.main import handler
from app.models import Post

from tests.events import error, invoke
from tests.proxy import Proxy
from tests.server import Server


def count_posts() -> int:
    with db.session_scope() as session:
        return session.scalar(select(func.count()).select_from(Post))


def test_importing_the_handler_opens_no_connection(server: Server) -> None:
    before = server.connections()
    code = "import app.main; print('imported')"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"APP_ENV": "test", "DB_PORT": "1", "PATH": ""},
    )
    assert result.stdout.strip() == "imported"
    assert server.connections() == before == 0


def test_100_invocations_use_one_server_connection(server: Server) -> None:
    invoke(handler, "POST /posts", {"title": "reused"})
    for _ in range(100):
        assert invoke(handler, "GET /posts")[0] == 200
        assert server.connections() == 1
    assert db.current().engine.pool.checkedout() == 0


def test_a_connection_killed_by_the_server_is_replaced(server: Server) -> None:
    with db.session_scope() as session:
        connection_id = Server.connection_id(session)
    server.kill(connection_id)

    assert invoke(handler, "POST /posts", {"title": "after the kill"})[0] == 201
    with db.session_scope() as session:
        assert Server.connection_id(session) != connection_id
    assert server.connections() == 1


def test_an_exception_in_a_unit_of_work_leaves_no_partial_write() -> None:
    with pytest.raises(RuntimeError, match="boom"), db.session_scope() as session:
        session.add(Post(title="never stored"))
        session.flush()  # the INSERT has reached the server
        raise RuntimeError("boom")

    assert count_posts() == 0
    assert invoke(handler, "POST /posts", {"title": "next"})[0] == 201
    assert count_posts() == 1


def test_cold_start_with_the_database_down_then_back(proxy: Proxy) -> None:
    status, body = invoke(handler, "GET /posts")
    assert status == 503
    assert body == error("database unavailable, try again shortly")

    proxy.start()
    assert invoke(handler, "GET /posts") == (200, {"items": [], "next_cursor": None})


def test_losing_the_database_between_invocations_gives_503_then_recovers(proxy: Proxy) -> None:
    proxy.start()
    assert invoke(handler, "GET /posts")[0] == 200

    proxy.stop()
    assert invoke(handler, "GET /posts")[0] == 503

    proxy.start()
    assert invoke(handler, "GET /posts")[0] == 200


def test_8_threads_on_a_cold_start_build_one_engine_and_open_one_connection(server: Server) -> None:
    start = threading.Barrier(8)
    databases = []

    def first_use() -> None:
        start.wait()
        databases.append(db.current())
        with db.session_scope(readonly=True) as session:
            session.scalar(select(func.count()).select_from(Post))

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(database) for database in databases}) == 1
    assert server.connections() == 1


def test_waiting_too_long_for_the_pooled_connection_is_a_503(monkeypatch) -> None:
    monkeypatch.setenv("DB_POOL_TIMEOUT", "0.2")
    with db.current().engine.connect():  # holds the only connection of the pool
        status, _ = invoke(handler, "GET /posts")
    assert status == 503
    assert invoke(handler, "GET /posts")[0] == 200
