"""What an invocation of the generated app costs on the wire, counted by the bench's proxy."""

import time

import pytest

from bench.project import Project
from bench.proxy import Proxy

pytestmark = pytest.mark.slow  # scripts/test --quick leaves this module out

QUERY = {"mysql": "query", "postgresql": "Q"}
WRITE = {"mysql": ["INSERT", "COMMIT"], "postgresql": ["BEGIN", "INSERT", "COMMIT"]}
# A cold read: the connection (MySQL: and its login), what the driver and SQLAlchemy ask of the
# server on the first connection (no BEGIN or ROLLBACK around it, no HSTORE probe), then the unit.
COLD_READ = {
    "mysql": [
        "SET NAMES",  # PyMySQL's
        "SET NAMES",  # SQLAlchemy's, on every new connection
        "SELECT VERSION()",
        "SELECT DATABASE()",
        "SELECT @@tx_isolation",
        "SELECT @@sql_mode",
        "SELECT @@lower_case_table_names",
        "SET AUTOCOMMIT = 0",
        "SET SESSION autocommit = 1",
        "SELECT",
    ],
    "postgresql": [
        "select pg_catalog.version()",
        "select current_schema()",
        "show transaction isolation level",
        "show standard_conforming_strings",
        "SET default_transaction_read_only = on",
        "SELECT",
    ],
}
LOGIN = {"mysql": "auth", "postgresql": "startup"}  # the one login message that awaits a reply


def statements(proxy: Proxy) -> list[str]:
    return [message.text.split()[0] for message in proxy.messages if message.awaits_reply]


def test_a_warm_read_is_one_round_trip(project: Project, proxy: Proxy) -> None:
    status, post = project.invoke("POST /posts", {"title": "warm up"})
    assert status == 201
    assert project.invoke("GET /posts")[0] == 200

    proxy.reset()
    assert project.invoke("GET /posts/{post_id}", post_id=str(post["id"]))[0] == 200
    assert (proxy.round_trips(), proxy.kinds()) == (1, {QUERY[project.database]: 1})
    assert statements(proxy) == ["SELECT"]  # no BEGIN, no COMMIT, no ROLLBACK on the way back to the pool


def test_a_warm_write_is_one_transaction_and_nothing_more(project: Project, proxy: Proxy) -> None:
    assert project.invoke("POST /posts", {"title": "warm up"})[0] == 201

    proxy.reset()
    assert project.invoke("POST /posts", {"title": "counted"})[0] == 201
    assert statements(proxy) == WRITE[project.database]  # no ROLLBACK after the COMMIT
    assert proxy.round_trips() == len(WRITE[project.database])


def test_switching_between_reads_and_writes_costs_one_set(project: Project, proxy: Proxy) -> None:
    assert project.invoke("POST /posts", {"title": "warm up"})[0] == 201

    proxy.reset()
    assert project.invoke("GET /posts")[0] == 200
    assert statements(proxy) == ["SET", "SELECT"]

    proxy.reset()
    assert project.invoke("POST /posts", {"title": "after a read"})[0] == 201
    assert statements(proxy) == ["SET", *WRITE[project.database]]


def test_an_error_after_a_read_costs_no_rollback(project: Project, proxy: Proxy) -> None:
    assert project.invoke("GET /posts")[0] == 200
    proxy.reset()
    assert project.invoke("GET /posts/{post_id}", post_id="999999")[0] == 404
    assert proxy.round_trips() == 1  # the SELECT: the read-only unit has nothing to roll back


def test_only_an_environment_idle_past_ping_after_idle_pays_a_ping(project: Project, proxy: Proxy) -> None:
    with project.using(proxy.port, DB_PING_AFTER_IDLE="0.3"):
        assert project.invoke("GET /posts")[0] == 200
        proxy.reset()
        assert project.invoke("GET /posts")[0] == 200
        assert proxy.round_trips() == 1

        time.sleep(0.4)
        proxy.reset()
        assert project.invoke("GET /posts")[0] == 200
        assert proxy.round_trips() == 2
        assert proxy.connects == 0  # the ping found the connection alive: it was kept


def test_a_cold_read_costs_the_connection_and_the_first_connect_queries_only(
    project: Project, proxy: Proxy
) -> None:
    status, post = project.invoke("POST /posts", {"title": "stored"})
    assert status == 201
    project.module("db").reset()  # a new execution environment: new engine, new connection

    proxy.reset()
    assert project.invoke("GET /posts/{post_id}", post_id=str(post["id"]))[0] == 200
    login, *sent = [message for message in proxy.messages if message.awaits_reply]
    expected = COLD_READ[project.database]
    assert login.kind == LOGIN[project.database]
    assert len(sent) == len(expected), [message.text for message in sent]
    assert [message.text[: len(start)] for message, start in zip(sent, expected, strict=True)] == expected
    assert proxy.round_trips() == 2 + len(expected)  # the TCP connection, the login, the statements
