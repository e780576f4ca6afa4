"""``python -m bench.dynamodb``: the dynamodb option's model layer and its cost at cold start.

Against moto's server (a local DynamoDB) and the local database servers, it prints:

1. the model layer: a fresh, isolated process of the runtime's Python that imports the layer and
   counts one view (UpdateItem ADD), for boto3 through the app's ``aws.client`` and for PynamoDB
   (median and fastest of COLD_RUNS, the two taking turns), and what each adds to the API
   function's package (boto3 is in the Lambda runtime; PynamoDB would ship, installed and
   compiled as the Makefile does);
2. the cold-start table of a project baked with DynamoDB, as ``sam build`` leaves its API
   function: each route's first invocation in a fresh process, and whether boto3 and botocore
   were imported (the SQL-only routes must import neither).
"""

import json
import logging
import statistics
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from moto.server import ThreadedMotoServer

from bench.__main__ import COLD_RUNS, lambda_runtime, package_size, timed_run
from bench.events import CONTEXT_FIELDS, FUNCTION_TIMEOUT_MS, http_event
from bench.project import Project, prepare
from bench.report import _loaded
from tests.baking import DATABASES, built_functions, runtime_python

PYTHON_VERSION = "3.13"
PLATFORM = "manylinux2014_x86_64"
PYNAMODB = "pynamodb>=6,<7"
TABLE = "bench_post_views"
LOCAL = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "us-east-1"}

BOTO3_VIEW = """
import sys
sys.path[:0] = [{app!r}, {sdk!r}]
from app import aws
client = aws.client("dynamodb", endpoint_url={endpoint!r})
answer = client.update_item(
    TableName={table!r},
    Key={{"pk": {{"S": "POST#1"}}, "sk": {{"S": "VIEWS"}}}},
    UpdateExpression="ADD #views :one",
    ExpressionAttributeNames={{"#views": "views"}},
    ExpressionAttributeValues={{":one": {{"N": "1"}}}},
    ReturnValues="UPDATED_NEW",
)
assert int(answer["Attributes"]["views"]["N"]) > 0
"""
PYNAMODB_VIEW = """
import sys
sys.path[:0] = [{pynamodb!r}, {sdk!r}]
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

class PostViews(Model):
    class Meta:
        table_name = {table!r}
        host = {endpoint!r}
        region = "us-east-1"
        connect_timeout_seconds = 2
        read_timeout_seconds = 2
        max_retry_attempts = 1

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    views = NumberAttribute(default=0)

answer = PostViews("POST#1", "VIEWS").update(actions=[PostViews.views.add(1)])
assert int(answer["Attributes"]["views"]["N"]) > 0
"""
IMPORT_ONLY = {
    "boto3": "import sys; sys.path[:0] = [{sdk!r}]; import boto3",
    "pynamodb": "import sys; sys.path[:0] = [{pynamodb!r}, {sdk!r}]; import pynamodb.models",
}
APP_ROUTE = """
import json, sys
sys.path[:0] = [{function!r}]
sys.path.append({sdk!r})  # the runtime's boto3: importable, imported only when used
from types import SimpleNamespace
from app.main import handler, logger
logger.registered_handler.setStream(sys.stderr)  # stdout carries the answer
context = SimpleNamespace(**{context!r}, get_remaining_time_in_millis=lambda: {remaining})
response = handler(json.loads({event!r}), context)
assert response["statusCode"] == {status}, response
print(json.dumps({{name: name in sys.modules for name in ("boto3", "botocore.client")}}))
"""
ROUTES = {
    "GET /posts": (http_event("GET /posts"), 200),
    "POST /posts": (http_event("POST /posts", {"title": "cold"}), 201),
    "GET /posts/{post_id}": (http_event("GET /posts/{post_id}", post_id="{post_id}"), 200),
}


def install_pynamodb(target: Path) -> None:
    """PynamoDB for the Lambda platform, slimmed as the Makefile slims what it ships."""
    python = runtime_python(PYTHON_VERSION)
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
         "--no-deps", "--only-binary=:all:", "--implementation", "cp", "--python-version", PYTHON_VERSION,
         "--platform", PLATFORM, "--target", target, PYNAMODB],
        check=True,
    )  # fmt: skip
    subprocess.run([python, "-m", "compileall", "-q", "-b", "-o", "2", target], check=True)
    for source in target.rglob("*.py"):
        source.unlink()


def folder_size(folder: Path) -> dict[str, float]:
    """The MB of ``folder``'s files, unzipped and zipped."""
    files = [file for file in folder.rglob("*") if file.is_file()]
    archive = folder.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for file in files:
            zipped.write(file, file.relative_to(folder))
    unzipped = sum(file.stat().st_size for file in files)
    return {"unzipped": unzipped / 1e6, "zipped": archive.stat().st_size / 1e6}


def taking_turns(codes: dict[str, str], environment: dict[str, str]) -> dict[str, dict[str, float]]:
    """Median and fastest wall time (ms) of COLD_RUNS fresh processes per code, the codes taking turns."""
    python = runtime_python(PYTHON_VERSION)
    times: dict[str, list[float]] = {name: [] for name in codes}
    for _ in range(COLD_RUNS):
        for name, code in codes.items():
            times[name].append(timed_run(python, code, environment)[0])
    return {name: {"median": statistics.median(runs), "fastest": min(runs)} for name, runs in times.items()}


def create_table(endpoint: str, name: str) -> None:
    """The app's table (its KEY_SCHEMA) on moto's server."""
    import boto3

    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="l",
                          aws_secret_access_key="l")  # fmt: skip
    keys = [("pk", "HASH"), ("sk", "RANGE")]
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": kind} for key, kind in keys],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key, _ in keys],
        BillingMode="PAY_PER_REQUEST",
    )


def model_layers(project: Project, endpoint: str, folder: Path) -> dict[str, Any]:
    """Figure 1: boto3 through aws.client against PynamoDB, cold, and what each ships."""
    pynamodb = folder / "pynamodb-package"
    install_pynamodb(pynamodb)
    sdk = str(lambda_runtime(folder / "lambda-runtime"))  # boto3 and botocore, as the runtime has them
    values = {"app": str(project.baked.path), "sdk": sdk, "pynamodb": str(pynamodb)}
    values |= {"endpoint": endpoint, "table": TABLE}
    environment = {"AWS_LAMBDA_FUNCTION_NAME": "bench", **LOCAL}
    times = taking_turns(
        {
            "boto3 import": IMPORT_ONLY["boto3"].format(**values),
            "pynamodb import": IMPORT_ONLY["pynamodb"].format(**values),
            "boto3 view": BOTO3_VIEW.format(**values),
            "pynamodb view": PYNAMODB_VIEW.format(**values),
        },
        environment,
    )
    ships = {"boto3": {"unzipped": 0.0, "zipped": 0.0}, "pynamodb": folder_size(pynamodb)}
    return {
        layer: {"import": times[f"{layer} import"], "view": times[f"{layer} view"], "ships": ships[layer]}
        for layer in ("boto3", "pynamodb")
    }


def app_routes(project: Project, endpoint: str) -> dict[str, Any]:
    """Figure 2: each route's cold invocation on the built API function, and the SDK modules it imported."""
    sizes = package_size(project)
    if sizes["status"] != "built":
        raise SystemExit(f"bench: {sizes['status']}")
    function = built_functions(project.baked) / "ApiFunction"
    sdk = str(lambda_runtime(function.parent / "lambda-runtime"))
    environment = project.environment(AWS_LAMBDA_FUNCTION_NAME="bench", DYNAMODB_TABLE=TABLE,
                                      DYNAMODB_ENDPOINT=endpoint, **LOCAL)  # fmt: skip
    post_id = project.scalar("SELECT MIN(id) FROM posts") or seed_post(project)
    figures: dict[str, Any] = {"package": sizes}
    for route, (event, status) in ROUTES.items():
        event_code = json.dumps(event).replace("{post_id}", str(post_id))
        code = APP_ROUTE.format(
            function=str(function), sdk=sdk, event=event_code, status=status, context=CONTEXT_FIELDS,
            remaining=FUNCTION_TIMEOUT_MS,
        )  # fmt: skip
        runs = [timed_run(runtime_python(PYTHON_VERSION), code, environment) for _ in range(COLD_RUNS)]
        figures[route] = {"ms": statistics.median(ms for ms, _ in runs), "modules": json.loads(runs[-1][1])}
    return figures


def seed_post(project: Project) -> int:
    """Add a post to the project's test database; its id."""
    with project.using():
        status, body = project.invoke("POST /posts", {"title": "bench"})
    assert status == 201, body
    return body["id"]


def print_tables(layers: dict[str, Any], routes: dict[str, dict[str, Any]]) -> None:
    boto3, pynamodb = layers["boto3"], layers["pynamodb"]
    print("#### 1. Model layer: a fresh process counting one view (UpdateItem ADD), median (fastest)\n")
    print("| layer | import | import + client + first UpdateItem | adds to the package (unzipped, zipped) |")
    print("| --- | ---: | ---: | ---: |")
    for name, row in (("boto3 through aws.client", boto3), ("PynamoDB 6", pynamodb)):
        imported, viewed, ships = row["import"], row["view"], row["ships"]
        print(f"| {name} | {imported['median']:.0f} ms ({imported['fastest']:.0f}) "
              f"| {viewed['median']:.0f} ms ({viewed['fastest']:.0f}) "
              f"| {ships['unzipped']:.2f} MB, {ships['zipped']:.2f} MB |")  # fmt: skip
    for figure in ("median", "fastest"):
        imported = pynamodb["import"][figure] / boto3["import"][figure]
        viewed = pynamodb["view"][figure] / boto3["view"][figure]
        print(f"\nPynamoDB / boto3, {figure}: import {imported:.2f}x, first view {viewed:.2f}x")
    print()
    print("#### 2. Cold start of the API function built with DynamoDB, per route (median)\n")
    print("| database | route | first invocation | after it | package (unzipped, zipped) |")
    print("| --- | --- | ---: | --- | ---: |")
    for database, figures in routes.items():
        package = figures["package"]
        for route in ROUTES:
            row = figures[route]
            print(f"| {database} | `{route}` | {row['ms']:.0f} ms | {_loaded(row['modules'])} "
                  f"| {package['unzipped']:.1f} MB, {package['zipped']:.1f} MB |")  # fmt: skip


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server: no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    create_table(endpoint, TABLE)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-dynamodb-") as folder:
            projects = {
                database: prepare(database, Path(folder), "Bench DynamoDB", dynamodb="yes")
                for database in DATABASES
            }
            layers = model_layers(projects[DATABASES[0]], endpoint, Path(folder))
            routes = {database: app_routes(project, endpoint) for database, project in projects.items()}
    finally:
        server.stop()
    print_tables(layers, routes)


if __name__ == "__main__":
    main()
