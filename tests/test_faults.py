"""Faults between the app and its database, on both real servers, through the bench proxy.

Each test drives a baked project's posts handler the way Lambda does, in this process (or in
eight processes), with the proxy cutting, refusing or watching its connections.
"""

import subprocess
import sys
import threading
import time

import pytest

from bench.project import Project
from bench.proxy import Proxy

pytestmark = pytest.mark.slow  # scripts/test --quick leaves this module out

PROCESSES = 8
WRITES = 200
WRITER = """
import sys
from app.main import handler, logger
from bench.events import CONTEXT, http_event
logger.registered_handler.setStream(sys.stderr)  # stdout tells the test how far the writer is
for number in range({writes}):
    event = http_event("POST /posts", {{"title": "{name}-%d" % number}})
    assert handler(event, CONTEXT)["statusCode"] == 201
print("done", flush=True)
sys.stdin.read()  # hold the connection until the test has counted it
"""


def stored(project: Project) -> int:
    return project.scalar("SELECT COUNT(*) FROM posts")


def test_100_cuts_between_invocations_fail_no_invocation(project: Project, proxy: Proxy) -> None:
    status, post = project.invoke("POST /posts", {"title": "before the cuts"})
    assert status == 201
    statuses = []
    for _ in range(100):
        proxy.cut()
        statuses.append(project.invoke("GET /posts/{post_id}", post_id=str(post["id"]))[0])
    assert statuses == [200] * 100
    assert proxy.connects == 101


def test_a_cut_in_the_middle_of_a_write_stores_nothing(project: Project, proxy: Proxy) -> None:
    assert project.invoke("GET /posts")[0] == 200
    proxy.cut_before(b"COMMIT")  # the INSERT has reached the server, its COMMIT never does
    status, body = project.invoke("POST /posts", {"title": "cut short"})
    assert status == 503
    assert body["error"] == "database unavailable, try again shortly"
    assert stored(project) == 0
    assert project.invoke("POST /posts", {"title": "next"})[0] == 201
    assert stored(project) == 1


def test_the_server_closing_an_idle_connection_is_survived(project: Project, proxy: Proxy) -> None:
    idle_timeout = {
        "mysql": "SET SESSION wait_timeout = 1",
        "postgresql": "SET idle_session_timeout = '500ms'",
    }[project.database]
    db = project.module("db")
    with db.session_scope() as session:
        session.connection().exec_driver_sql(idle_timeout)
    deadline = time.monotonic() + 5
    while project.server_connections() and time.monotonic() < deadline:
        time.sleep(0.05)  # the server closes the connection after its idle timeout
    assert project.server_connections() == 0
    assert project.invoke("POST /posts", {"title": "after the timeout"})[0] == 201
    assert proxy.connects == 2


def test_an_unreachable_database_answers_503_then_recovers(project: Project, proxy: Proxy) -> None:
    assert project.invoke("GET /posts")[0] == 200
    proxy.stop()
    for _ in range(3):
        status, body = project.invoke("GET /posts")
        assert status == 503
        assert body["error"] == "database unavailable, try again shortly"
    proxy.start()
    assert project.invoke("GET /posts")[0] == 200
    assert project.invoke("POST /posts", {"title": "back"})[0] == 201


def test_a_connection_dropped_silently_while_idle_is_replaced(project: Project, proxy: Proxy) -> None:
    with project.using(proxy.port, DB_PING_AFTER_IDLE="0.2"):
        assert project.invoke("GET /posts")[0] == 200
        proxy.drop_silently()  # no FIN: the app learns of it only when it sends (RST)
        time.sleep(0.3)
        assert project.invoke("POST /posts", {"title": "after the drop"})[0] == 201
        assert project.invoke("GET /posts")[0] == 200
    assert proxy.connects == 2


def timed(project: Project, route: str) -> tuple[int, float]:
    started = time.monotonic()
    status, _ = project.invoke(route)
    return status, time.monotonic() - started


def test_a_black_holed_connection_is_a_503_within_8_s_then_recovers(project: Project, proxy: Proxy) -> None:
    assert project.invoke("POST /posts", {"title": "before"})[0] == 201
    proxy.hold()  # the server stops answering this connection, mid-invocation
    status, elapsed = timed(project, "GET /posts")
    assert status == 503
    assert elapsed < 8
    assert project.invoke("GET /posts")[0] == 200


def test_a_server_that_accepts_and_never_answers_is_a_503_within_8_s(project: Project, proxy: Proxy) -> None:
    proxy.mute()
    project.module("db").reset()  # a cold start
    status, elapsed = timed(project, "GET /posts")
    assert status == 503
    assert elapsed < 8
    proxy.mute(False)
    assert project.invoke("GET /posts")[0] == 200


def test_8_processes_write_every_row_once_on_8_connections(project: Project, proxy: Proxy) -> None:
    peak = [0]
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            peak[0] = max(peak[0], project.server_connections())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER.format(writes=WRITES, name=f"w{number}")],
            env=project.environment(proxy.port, with_bench=True),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for number in range(PROCESSES)
    ]
    try:
        assert [writer.stdout.readline().strip() for writer in writers] == ["done"] * PROCESSES
        assert project.server_connections() == PROCESSES
    finally:
        for writer in writers:
            writer.stdin.close()
            writer.wait(timeout=30)
        sampling.set()
        sampler.join()
    assert [writer.returncode for writer in writers] == [0] * PROCESSES
    assert peak[0] == PROCESSES
    assert proxy.connects == PROCESSES

    assert stored(project) == PROCESSES * WRITES
    assert project.scalar("SELECT COUNT(DISTINCT title) FROM posts") == PROCESSES * WRITES
    deadline = time.monotonic() + 5
    while project.server_connections() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert project.server_connections() == 0
