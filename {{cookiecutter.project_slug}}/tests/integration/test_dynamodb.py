"""DynamoDB beside the SQL database, against moto's server (a local DynamoDB): the post view counter, its
route, the settings and the invoke tasks."""

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from app.db.settings import load_database_settings
from app.dynamodb import DynamoDBSettings, Table, app_table, load_dynamodb_settings
from app.dynamodb.post_views import add_view, key
from app.dynamodb.settings import ENDPOINT_VARIABLE, LOCAL_ENDPOINT, TABLE_VARIABLE
from app.dynamodb.table import ATTRIBUTE_DEFINITIONS, KEY_SCHEMA
from app.environment import PROJECT_ROOT
from app.errors import ConfigurationError
from app.main import handler

from tasks.api import TEMPLATE, CloudFormationLoader
from tests.events import error, invoke
from tests.service_dynamodb import start_afresh
from tests.unit.test_aws import AWS_SDK

TABLE = "post_views_test"
UNAVAILABLE = error("database unavailable, try again shortly")


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Where the app finds DynamoDB: set DYNAMODB_ENDPOINT with ``endpoint(url)``."""

    def use(url: str) -> None:
        monkeypatch.setenv(ENDPOINT_VARIABLE, url)
        monkeypatch.setenv(TABLE_VARIABLE, TABLE)
        start_afresh()

    yield use
    start_afresh()


@pytest.fixture
def table(moto_endpoint: str, endpoint) -> Iterator[Table]:
    """The app's table, created empty on moto's server."""
    endpoint(moto_endpoint)
    created = app_table()
    assert created.create()
    yield created
    created.call("delete_table")


def stored_views(table: Table, post_id: int) -> int | None:
    """The views stored for ``post_id``, read straight from the table (None: no item)."""
    item = table.call("get_item", Key=key(post_id), ConsistentRead=True).get("Item")
    return None if item is None else int(item["views"]["N"])


def test_a_view_is_counted_from_one_per_post(table: Table) -> None:
    assert [add_view(7), add_view(7), add_view(8), add_view(7)] == [1, 2, 1, 3]
    assert (stored_views(table, 7), stored_views(table, 8), stored_views(table, 9)) == (3, 1, None)


def test_concurrent_views_are_all_counted(table: Table) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(lambda _: add_view(1), range(80)))
    assert sorted(counts) == list(range(1, 81))  # each view saw its own count: no lost update
    assert stored_views(table, 1) == 80


def test_showing_a_post_counts_its_views(table: Table) -> None:
    status, created = invoke(handler, "POST /posts", {"title": "Counted", "body": "in DynamoDB"})
    assert status == 201
    shown = str(created["id"])
    assert invoke(handler, "GET /posts/{post_id}", post_id=shown) == (200, created | {"views": 1})
    assert invoke(handler, "GET /posts/{post_id}", post_id=shown) == (200, created | {"views": 2})
    assert stored_views(table, created["id"]) == 2
    assert invoke(handler, "GET /posts")[1]["items"] == [created]  # the list has no counts


def test_a_post_that_does_not_exist_is_a_404_and_counts_nothing(table: Table) -> None:
    assert invoke(handler, "GET /posts/{post_id}", post_id="41") == (404, error("post 41 not found"))
    assert table.call("scan")["Items"] == []


def test_dynamodb_out_of_reach_is_a_generic_503_and_the_sql_routes_still_serve(endpoint, caplog) -> None:
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now: connections are refused
    endpoint(f"http://127.0.0.1:{port}")
    status, created = invoke(handler, "POST /posts", {"title": "Stored in SQL"})
    assert status == 201
    with caplog.at_level(logging.ERROR):
        assert invoke(handler, "GET /posts/{post_id}", post_id=str(created["id"])) == (503, UNAVAILABLE)
    assert f"update_item on table {TABLE} at http://127.0.0.1:{port}" in caplog.text  # the log says where
    assert invoke(handler, "GET /posts")[1]["items"] == [created]


def test_a_dynamodb_that_never_answers_is_a_503_well_inside_the_timeout(endpoint) -> None:
    listener = socket.create_server(("127.0.0.1", 0))  # accepts connections, never answers
    endpoint(f"http://127.0.0.1:{listener.getsockname()[1]}")
    created = invoke(handler, "POST /posts", {"title": "Waited for"})[1]
    started = time.monotonic()
    try:
        assert invoke(handler, "GET /posts/{post_id}", post_id=str(created["id"])) == (503, UNAVAILABLE)
    finally:
        listener.close()
    assert time.monotonic() - started < 6  # 2 attempts of a 2 s read, well inside the 10 s timeout


def test_a_missing_table_is_a_generic_500(moto_endpoint: str, endpoint, caplog) -> None:
    endpoint(moto_endpoint)  # the table was never created
    created = invoke(handler, "POST /posts", {"title": "No table"})[1]
    with caplog.at_level(logging.ERROR):
        shown = invoke(handler, "GET /posts/{post_id}", post_id=str(created["id"]))
    assert shown == (500, error("internal error"))
    assert "ResourceNotFoundException" in caplog.text


def test_the_sql_only_routes_import_neither_boto3_nor_botocore() -> None:
    code = (
        "import sys\n"
        "from app.main import handler\n"
        "from tests.events import invoke\n"
        "assert invoke(handler, 'POST /posts', {'title': 'cold'})[0] == 201\n"
        "assert invoke(handler, 'GET /posts')[0] == 200\n"
        f"print({AWS_SDK})"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ)
    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stderr[-2000:]


def test_template_yaml_creates_the_table_with_the_keys_the_app_uses() -> None:
    template = yaml.load(TEMPLATE.read_text(), CloudFormationLoader)
    properties = template["Resources"]["Table"]["Properties"]
    assert properties["KeySchema"] == KEY_SCHEMA
    assert properties["AttributeDefinitions"] == ATTRIBUTE_DEFINITIONS


def test_the_table_is_named_after_the_database_locally_and_given_by_the_stack_on_lambda(monkeypatch) -> None:
    for name in (TABLE_VARIABLE, ENDPOINT_VARIABLE, "AWS_LAMBDA_FUNCTION_NAME"):
        monkeypatch.delenv(name, raising=False)
    development = load_dynamodb_settings("development")
    assert development.table == load_database_settings("development").database
    assert development.endpoint_url == LOCAL_ENDPOINT
    monkeypatch.setenv(TABLE_VARIABLE, "chosen")
    assert load_dynamodb_settings("production") == DynamoDBSettings("production", "chosen", None)  # AWS's

    monkeypatch.delenv(TABLE_VARIABLE)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "api")
    with pytest.raises(ConfigurationError, match="DYNAMODB_TABLE is not set"):
        load_dynamodb_settings("development")
    monkeypatch.setenv(TABLE_VARIABLE, "stack-Table-1AB2")
    assert load_dynamodb_settings("development") == DynamoDBSettings("development", "stack-Table-1AB2", None)


def run_task(endpoint_url: str, *arguments: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """``invoke *arguments`` in the project, with DYNAMODB_ENDPOINT set to ``endpoint_url``."""
    environment = {name: value for name, value in os.environ.items() if name != TABLE_VARIABLE}
    environment |= {ENDPOINT_VARIABLE: endpoint_url, **variables}
    command = [sys.executable, "-m", "invoke", *arguments]
    return subprocess.run(command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True)


def test_the_tasks_create_describe_and_list_the_environment_s_table(moto_endpoint: str) -> None:
    name = load_database_settings("test").database
    created = run_task(moto_endpoint, "dynamodb.create", "--env", "test")
    try:
        assert (created.returncode, created.stdout) == (0, f"Created table {name} at {moto_endpoint}\n")
        again = run_task(moto_endpoint, "dynamodb.create", "--env", "test").stdout
        assert again == f"Already exists: table {name} at {moto_endpoint}\n"
        described = json.loads(run_task(moto_endpoint, "dynamodb.describe", "--env", "test").stdout)
        assert described == {
            "TableName": name,
            "TableStatus": "ACTIVE",
            "KeySchema": KEY_SCHEMA,
            "BillingMode": "PAY_PER_REQUEST",
            "ItemCount": 0,
        }
        assert name in run_task(moto_endpoint, "dynamodb.list", "--env", "test").stdout.splitlines()
    finally:
        Table(DynamoDBSettings("test", name, moto_endpoint)).call("delete_table")


def test_the_tasks_fail_in_one_line(moto_endpoint: str) -> None:
    name = load_database_settings("test").database
    missing = run_task(moto_endpoint, "dynamodb.describe", "--env", "test")
    fix = "invoke dynamodb.create --env test"
    assert (missing.returncode, missing.stderr) == (1, f"error: no table {name} at {moto_endpoint}: {fix}\n")

    on_aws = run_task("", "dynamodb.create", "--env", "production", **{TABLE_VARIABLE: "stack-Table-1AB2"})
    assert on_aws.returncode == 1
    assert on_aws.stderr.startswith("error: dynamodb.create makes tables on a local DynamoDB")

    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    unreachable = run_task(f"http://127.0.0.1:{port}", "dynamodb.list", "--env", "test")
    assert unreachable.returncode == 1
    assert unreachable.stderr.startswith(
        f"error: DynamoDB list_tables on table {name} at http://127.0.0.1:{port}"
    )
    assert len(unreachable.stderr.splitlines()) == 1
