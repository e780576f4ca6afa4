"""``python -m bench.handler``: the API function as Lambda runs it, against a raw-driver handler.

For each database it bakes a project from the template's working tree (labelled "now"; with
``--at REF``, once or more, also from the template as git has it at each REF), builds its API
function with ``sam build``, creates and migrates the project's test database with the project's
own invoke tasks, stores posts through its handler, and measures, per route (``GET /posts``,
``GET /posts/{id}``, ``POST /posts``):

1. cold start, as on Lambda: a fresh process of the runtime's Python that sees the built function,
   the standard library and the packages the Lambda runtime provides (boto3), and nothing else
   (``-I -S``), importing the handler ``template.yaml`` names and serving one event;
2. a restored cold start, as SnapStart gives one, simulated: such a process imports the handler
   and runs the before-snapshot hooks registered with ``snapshot_restore_py`` (Lambda's runtime
   provides it), then forks; the child, as a restored environment, takes back the parent's random
   state (a restore runs no at-fork hook), runs the after-restore hooks and serves the first event,
   timed in the child from its start to the response, and its round trips to the database counted
   by the bench's proxy. The fork stands for Lambda's restore of the snapshot, which is not
   simulated: it comes on top;
3. warm cost per invocation: the same handler, event in and JSON out, called again and again in one
   such process;
4. the package: the built API function's size, unzipped and zipped.

The floor is the honest one: a raw-driver handler in the same kind of process, as AWS's tutorials
write it, importing the driver and ``json``, connecting at module scope (autocommit) and running
the same SQL for the route: it imports no ORM, validates nothing and checks no connection. Cold
runs of the app (each version) and of the floor take turns, and warm calls of the app and of
the floor alternate within one process, so that the machine's drift touches all alike; ratios are
computed from medians of the same run. The project's handler is found through ``template.yaml``,
its database prepared through ``invoke db.create`` / ``db.migrate``: nothing here depends on the
layout of the generated app, so two versions of the template compare.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.project import SERVER_PORTS, checkout_name
from bench.proxy import Proxy
from tests.baking import (
    BIN,
    DATABASES,
    DEFAULT_CHOICES,
    TEMPLATE,
    Baked,
    built_functions,
    runtime_python,
    sam_build,
)
from tests.servers import drop_databases, engine

ROUTES = ("GET /posts", "GET /posts/{id}", "POST /posts")
IAM_ROUTE = "GET /posts/{id}"  # the route of the cold runs with IAM authentication
SEEDED_POSTS = 10  # fewer than any version's page: every GET /posts answers the same rows
COLD_RUNS = 15
WARM_CALLS = 400
WARM_UP_CALLS = 30
# What the Lambda runtime adds to the path: boto3 and its dependencies, and SnapStart's hook registry.
LAMBDA_RUNTIME_PACKAGES = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "dateutil",
    "urllib3",
    "six",
    "snapshot_restore_py",
)
USERS = {"mysql": "root", "postgresql": "postgres"}
RUNTIME_ENVIRONMENT = {  # what Lambda sets, as far as the app reads it
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}

# Shared by both sides: an HTTP API (payload 2.0) event as API Gateway sends it, signed-in with IAM,
# and a Lambda context with the function's 10 s timeout.
EVENTS = r"""
import json, re, time

class Context:
    function_name = "bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    memory_limit_in_mb = 512
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"

    def __init__(self, number):
        self.aws_request_id = f"bench-{number}"
        self.deadline = time.monotonic() + 10

    def get_remaining_time_in_millis(self):
        return int((self.deadline - time.monotonic()) * 1000)

def event(route, post_id, number):
    method, template = route.split(" ", 1)
    parameters = {name: str(post_id) for name in re.findall(r"{(\w+)}", template)}
    path = template.format(**parameters)
    body = json.dumps({"title": f"bench {number}", "body": "measured"}) if method == "POST" else None
    return {
        "version": "2.0",
        "routeKey": route,
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"accept": "application/json", "content-type": "application/json",
                    "host": "bench.execute-api.us-east-1.amazonaws.com"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "authorizer": {"iam": {"accessKey": "AKIABENCH", "accountId": "123456789012",
                                   "callerId": "AIDABENCH", "principalOrgId": None,
                                   "userArn": "arn:aws:iam::123456789012:user/bench",
                                   "userId": "AIDABENCH", "cognitoIdentity": None}},
            "domainName": "bench.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "bench",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "203.0.113.10", "userAgent": "bench"},
            "requestId": f"bench-{number}",
            "routeKey": route,
            "stage": "$default",
            "time": "06/Dec/2026:12:00:00 +0000",
            "timeEpoch": 1796558400000,
        },
        "pathParameters": parameters or None,
        "body": body,
        "isBase64Encoded": False,
    }
"""

# The floor: what AWS's tutorials write, one raw connection opened at module scope, in autocommit.
# Without TLS, as the app connects to the local servers: PyMySQL would otherwise build a TLS context
# on every connect (its default, since 1.2, is to try TLS), some 35 ms the app does not pay.
FLOOR = {
    "mysql": """
import pymysql
connection = pymysql.connect(
    host="127.0.0.1", port={port}, user="root", database={name!r}, autocommit=True, ssl_disabled=True
)

def run(sql, parameters, returning):
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.lastrowid if returning else cursor.fetchall()
""",
    "postgresql": """
import psycopg2
connection = psycopg2.connect(
    host="127.0.0.1", port={port}, user="postgres", dbname={name!r}, sslmode="disable"
)
connection.autocommit = True

def run(sql, parameters, returning):
    with connection.cursor() as cursor:
        cursor.execute(sql + (" RETURNING id" if returning else ""), parameters)
        return cursor.fetchone()[0] if returning else cursor.fetchall()
""",
}
FLOOR_HANDLER = """
import datetime
COLUMNS = ("id", "title", "body", "created_at", "updated_at")
SELECT = "SELECT id, title, body, created_at, updated_at FROM posts"

def post(row):
    return {name: value.isoformat() + "Z" if isinstance(value, datetime.datetime) else value
            for name, value in zip(COLUMNS, row)}

def floor_handler(event, context):
    method, parameters = event["requestContext"]["http"]["method"], event["pathParameters"]
    if method == "GET" and not parameters:
        rows = run(SELECT + " ORDER BY id DESC LIMIT %s", (50,), False)
        body = {"items": [post(row) for row in rows], "next_cursor": None}
    elif method == "GET":
        (post_id,) = parameters.values()
        body = post(run(SELECT + " WHERE id = %s", (int(post_id),), False)[0])
    else:
        fields = json.loads(event["body"])
        now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        values = (fields["title"], fields.get("body", ""), now, now)
        post_id = run("INSERT INTO posts (title, body, created_at, updated_at) VALUES (%s, %s, %s, %s)",
                      values, True)
        body = {"id": post_id, "title": values[0], "body": values[1],
                "created_at": now.isoformat() + "Z", "updated_at": now.isoformat() + "Z"}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}
"""
PATHS = """
import sys
sys.path[:0] = [{function!r}, {runtime!r}]
"""
COLD_APP = """
import importlib, time
started = time.perf_counter()
handler = getattr(importlib.import_module({module!r}), {name!r})
imported = time.perf_counter()
response = handler(event({route!r}, {post_id}, 0), Context(0))
served = time.perf_counter()
print(json.dumps({{
    "status": response["statusCode"],
    "import_ms": (imported - started) * 1000,
    "first_ms": (served - imported) * 1000,
    "modules": {{name: name in sys.modules for name in ("botocore.client", "alembic", "yaml", "pydantic")}},
}}))
"""
RESTORED_APP = """
import importlib, os, random, time
import snapshot_restore_py
handler = getattr(importlib.import_module({module!r}), {name!r})
for hook, args, kwargs in snapshot_restore_py.get_before_snapshot():
    hook(*args, **kwargs)
snapshot_random_state = random.getstate()
report, child_report = os.pipe()
child = os.fork()
if child == 0:
    try:
        restored = time.perf_counter()
        random.setstate(snapshot_random_state)
        for hook, args, kwargs in snapshot_restore_py.get_after_restore():
            hook(*args, **kwargs)
        response = handler(event({route!r}, {post_id}, 0), Context(0))
        served = time.perf_counter()
        printed = {{"status": response["statusCode"], "restored_ms": (served - restored) * 1000}}
    except BaseException as error:  # the restored child failed: the parent reports why
        printed = {{"status": 599, "error": repr(error)}}
    os.write(child_report, json.dumps(printed).encode())
    os._exit(0)
os.close(child_report)
printed = os.read(report, 4096).decode()
os.waitpid(child, 0)
print(printed)
"""
COLD_FLOOR = """
response = floor_handler(event({route!r}, {post_id}, 0), Context(0))
print(json.dumps({{"status": response["statusCode"]}}))
"""
WARM = """
import importlib, statistics, time
app = getattr(importlib.import_module({module!r}), {name!r})
figures = {{}}
for label, route in {routes!r}.items():
    timings = {{"app": [], "floor": []}}
    for number in range({warm_up} + {calls}):
        for side, handler in (("app", app), ("floor", floor_handler)):
            call_event, context = event(route, {post_id}, number), Context(number)
            started = time.perf_counter_ns()
            response = handler(call_event, context)
            elapsed = time.perf_counter_ns() - started
            assert response["statusCode"] < 300, (side, route, response)
            if number >= {warm_up}:
                timings[side].append(elapsed / 1000)
    figures[label] = {{side: statistics.median(values) for side, values in timings.items()}}
print(json.dumps(figures))
"""


@dataclass
class Version:
    """One version of the template, baked for one database, built, with its database ready."""

    label: str
    database: str
    baked: Baked
    handler: str = ""  # module.function, as template.yaml names it
    routes: dict[str, str] = field(default_factory=dict)  # ROUTES' names -> this version's route keys
    post_id: int = 0
    last_seeded: int = 0
    package: dict[str, Any] = field(default_factory=dict)

    @property
    def database_name(self) -> str:
        return f"{self.baked.app_name}_test"

    @property
    def function(self) -> Path:
        return built_functions(self.baked) / "ApiFunction"

    def environment(self, **extra: str) -> dict[str, str]:
        """The variables of a process that runs this version against the local server."""
        variables = {"APP_ENV": "test", "DB_PORT": str(SERVER_PORTS[self.database]), "PYTHONPATH": ""}
        return {**os.environ, **variables, **extra}

    def iam_environment(self) -> dict[str, str]:
        """Production settings logging in with an IAM token signed from test credentials.

        The local server has no TLS, which IAM authentication requires: the login is refused and
        the app answers 503, so a run measures the cold path up to the first login, botocore
        included.
        """
        return self.environment(
            **RUNTIME_ENVIRONMENT,
            APP_ENV="production",
            DB_HOST="127.0.0.1",
            DB_USER=USERS[self.database],
            DB_NAME=self.database_name,
            DB_IAM_AUTH="true",
            DB_SSL="true",
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench",
        )


def template_at(ref: str, folder: Path) -> Path:
    """The template as git has it at ``ref``, written to ``folder``."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref], cwd=TEMPLATE, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
    return folder


def bake_version(label: str, template: Path, database: str, output_dir: Path) -> Version:
    """Bake ``template`` with the defaults but ``database`` (cookiecutter's own command: its output kept)."""
    context = {"project_name": checkout_name(f"Bench {label}", database), "database": database}
    answers = [f"{key}={value}" for key, value in context.items()]
    command = [BIN / "cookiecutter", "--no-input", "-o", output_dir, template, *answers]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"bench: baking {label} failed: {result.stdout}{result.stderr}")
    (path,) = output_dir.iterdir()
    return Version(label, database, Baked(path, DEFAULT_CHOICES | context))


def run_in_project(version: Version, *arguments: str) -> str:
    """Run this Python with ``arguments`` in the baked project (its tasks and app importable)."""
    environment = version.environment(PYTHONPATH=str(version.baked.path))
    result = subprocess.run(
        [sys.executable, *arguments], cwd=version.baked.path, env=environment, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"bench: {version.label} {' '.join(arguments)}: {result.stdout}{result.stderr}")
    return result.stdout


def prepare(version: Version) -> None:
    """Build the API function, create and migrate the test database, store SEEDED_POSTS posts."""
    print(f"[{version.database}] {version.label}: sam build, db.create, db.migrate", file=sys.stderr)
    result = sam_build(version.baked, "ApiFunction")
    if result.returncode:
        raise SystemExit(f"bench: sam build of {version.label} failed: {result.stdout}{result.stderr}")
    version.package = package_size(version.function)
    drop_databases(version.database, version.baked.app_name)
    for task in ("db.create", "db.migrate"):
        run_in_project(version, "-m", "invoke", task, "--env", "test")
    version.handler, version.routes = api_function(version.baked.path / "template.yaml")
    module, name = version.handler.rsplit(".", 1)
    create = version.routes["POST /posts"]
    code = EVENTS + (
        f"import importlib\nhandler = getattr(importlib.import_module({module!r}), {name!r})\n"
        f"ids = [json.loads(handler(event({create!r}, 0, n), Context(n))['body'])['id']"
        f" for n in range({SEEDED_POSTS})]\nprint(json.dumps(ids))"
    )
    ids = json.loads(run_in_project(version, "-c", code))
    version.post_id, version.last_seeded = ids[0], ids[-1]


class CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (``!Ref``, ``!Sub``...), whose values are not needed here."""


CloudFormationLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def api_function(template: Path) -> tuple[str, dict[str, str]]:
    """ApiFunction's handler in ``template`` (``app.main.handler``), and its route key for each of ROUTES.

    A route of ROUTES is matched by method and by whether its path has a parameter, so that
    ``GET /posts/{id}`` finds ``GET /posts/{post_id}`` too.
    """
    function = yaml.load(template.read_text(), CloudFormationLoader)["Resources"]["ApiFunction"]["Properties"]
    events = [event["Properties"] for event in function["Events"].values()]
    keys = [f"{event['Method'].upper()} {event['Path']}" for event in events]

    def shape(key: str) -> tuple[str, bool]:
        return key.split(" ")[0], "{" in key

    routes = {route: key for route in ROUTES for key in keys if shape(key) == shape(route)}
    return function["Handler"], routes


def lambda_runtime(folder: Path) -> Path:
    """``folder``, holding links to this Python's copies of the packages the Lambda runtime provides."""
    import importlib.util

    folder.mkdir(exist_ok=True)
    for name in LAMBDA_RUNTIME_PACKAGES:
        source = Path(importlib.util.find_spec(name).origin)
        source = source.parent if source.name == "__init__.py" else source
        if not (folder / source.name).exists():
            (folder / source.name).symlink_to(source)
    return folder


def package_size(function: Path) -> dict[str, Any]:
    """The built function, unzipped and zipped, and whether it holds what it must not."""
    files = [file for file in function.rglob("*") if file.is_file()]
    archive = function.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for file in files:
            zipped.write(file, file.relative_to(function))
    parts = {part for file in files for part in file.relative_to(function).parts}
    return {
        "unzipped": sum(file.stat().st_size for file in files) / 1e6,
        "zipped": archive.stat().st_size / 1e6,
        "boto3": "boto3" in parts or "botocore" in parts,
        "tests": "tests" in parts or "testing" in parts,
    }


def floor_code(version: Version, port: int | None = None) -> str:
    """The raw-driver handler on this version's database (at ``port``), connected at module scope."""
    port, name = port or SERVER_PORTS[version.database], version.database_name
    return FLOOR[version.database].format(port=port, name=name) + FLOOR_HANDLER


def timed_run(python: Path, code: str, environment: dict[str, str]) -> tuple[float, dict[str, Any]]:
    """Wall time in ms of a fresh, isolated ``python`` running ``code``, and the JSON it printed last."""
    started = time.perf_counter()
    result = subprocess.run(
        [python, "-I", "-S", "-c", code], env=environment, capture_output=True, text=True, timeout=60
    )
    elapsed = (time.perf_counter() - started) * 1000
    if result.returncode:
        raise SystemExit(f"bench: a cold run failed: {result.stderr[-3000:]}")
    return elapsed, json.loads(result.stdout.strip().splitlines()[-1])


def remove_bench_posts(version: Version) -> None:
    """Delete the posts the measured POSTs stored: every GET /posts then answers the seeded ones."""
    from sqlalchemy import text

    with engine(version.database, version.database_name).begin() as connection:
        connection.execute(text("DELETE FROM posts WHERE id > :last"), {"last": version.last_seeded})


def cold_code(
    version: Version, runtime: Path, route: str, side: str = "app", post_id: int = 0, port: int | None = None
) -> str:
    """What a cold process runs: the handler of ``side`` (app, restored, floor) serving a ``route`` event."""
    code = PATHS.format(function=str(version.function), runtime=str(runtime)) + EVENTS
    key = version.routes[route]
    if side == "floor":
        return code + floor_code(version, port) + COLD_FLOOR.format(route=key, post_id=post_id)
    module, name = version.handler.rsplit(".", 1)
    first_event = {"module": module, "name": name, "route": key, "post_id": post_id}
    return code + (RESTORED_APP if side == "restored" else COLD_APP).format(**first_event)


def cold(versions: list[Version], runtime: Path, runs: int) -> dict[str, Any]:
    """Per version and route: median wall time of cold runs of the app and of the floor, taking turns."""
    python = runtime_python(DEFAULT_CHOICES["python_version"])
    samples: dict[tuple[str, str, str], list[float]] = {}
    details: dict[tuple[str, str], dict[str, Any]] = {}
    for _ in range(runs):
        for route in ROUTES:
            for version in versions:
                environment = version.environment(**RUNTIME_ENVIRONMENT)
                for side in ("app", "restored", "floor"):
                    code = cold_code(version, runtime, route, side, version.post_id)
                    elapsed, printed = timed_run(python, code, environment)
                    if printed["status"] >= 300:
                        raise SystemExit(f"bench: {version.label} {side} {route} answered {printed}")
                    samples.setdefault((version.label, route, side), []).append(
                        printed["restored_ms"] if side == "restored" else elapsed
                    )
                    if side == "app":
                        details.setdefault((version.label, route), printed)
                        for key in ("import_ms", "first_ms"):
                            samples.setdefault((version.label, route, key), []).append(printed[key])
                    if route == "POST /posts":
                        remove_bench_posts(version)
        for version in versions:
            code = cold_code(version, runtime, IAM_ROUTE, post_id=version.post_id)
            elapsed, printed = timed_run(python, code, version.iam_environment())
            if printed["status"] != 503:
                raise SystemExit(f"bench: {version.label} with IAM auth answered {printed}, not 503")
            samples.setdefault((version.label, IAM_ROUTE, "iam"), []).append(elapsed)
            details.setdefault((version.label, "iam"), printed)
    return {
        "medians": {key: statistics.median(values) for key, values in samples.items()},
        "details": details,
    }


def first_round_trips(version: Version, runtime: Path) -> dict[str, dict[str, int]]:
    """Per route: the database round trips of the restored app's first request and of the floor's cold run."""
    python = runtime_python(DEFAULT_CHOICES["python_version"])
    counts: dict[str, dict[str, int]] = {}
    for route in ROUTES:
        for side in ("restored", "floor"):
            with Proxy(version.database, SERVER_PORTS[version.database]) as proxy:
                environment = version.environment(**RUNTIME_ENVIRONMENT, DB_PORT=str(proxy.port))
                code = cold_code(version, runtime, route, side, version.post_id, proxy.port)
                timed_run(python, code, environment)
                counts.setdefault(route, {})[side] = proxy.round_trips()
            if route == "POST /posts":
                remove_bench_posts(version)
    return counts


def warm(version: Version, runtime: Path, calls: int) -> dict[str, Any]:
    """Per route: median microseconds of a warm invocation of the app and of the floor, alternating."""
    python = runtime_python(DEFAULT_CHOICES["python_version"])
    module, name = version.handler.rsplit(".", 1)
    code = (
        PATHS.format(function=str(version.function), runtime=str(runtime))
        + EVENTS
        + floor_code(version)
        + WARM.format(
            module=module,
            name=name,
            routes=version.routes,
            warm_up=WARM_UP_CALLS,
            calls=calls,
            post_id=version.post_id,
        )
    )
    _, figures = timed_run(python, code, version.environment(**RUNTIME_ENVIRONMENT))
    remove_bench_posts(version)
    return figures


def report(databases: dict[str, list[Version]], results: dict[str, Any]) -> None:
    """The figures as Markdown tables."""
    print("\n### Cold start, per route (median of fresh processes; ratio to the raw-driver floor)\n")
    print("| database | version | route | app | floor | ratio | of which import | first request |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for database, versions in databases.items():
        medians = results[database]["cold"]["medians"]
        for version in versions:
            for route in ROUTES:
                sides = ("app", "floor", "import_ms", "first_ms")
                app, floor, imported, first = (medians[(version.label, route, side)] for side in sides)
                print(
                    f"| {database} | {version.label} | `{route}` | {app:.0f} ms | {floor:.0f} ms "
                    f"| **{app / floor:.2f}x** | {imported:.0f} ms | {first:.0f} ms |"
                )
            iam, floor = (medians[(version.label, IAM_ROUTE, side)] for side in ("iam", "floor"))
            print(
                f"| {database} | {version.label} | `{IAM_ROUTE}`, IAM auth, up to the login | {iam:.0f} ms "
                f"| {floor:.0f} ms | **{iam / floor:.2f}x** | | |"
            )
    print("\n### SnapStart: a restored cold start, simulated (median; ratio to the raw floor's cold start)\n")
    print(
        "| database | version | route | cold, no SnapStart | restored: hooks and first request | floor "
        "| cold ratio | restored ratio | round trips, restored first request / floor |"
    )
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for database, versions in databases.items():
        medians = results[database]["cold"]["medians"]
        for version in versions:
            trips = results[database]["round_trips"][version.label]
            for route in ROUTES:
                sides = ("app", "restored", "floor")
                app, restored, floor = (medians[(version.label, route, side)] for side in sides)
                print(
                    f"| {database} | {version.label} | `{route}` | {app:.0f} ms | {restored:.1f} ms "
                    f"| {floor:.0f} ms "
                    f"| {app / floor:.2f}x | **{restored / floor:.2f}x** "
                    f"| {trips[route]['restored']} / {trips[route]['floor']} |"
                )
    print("\n### Warm invocation, per route (median; ratio to the raw-driver floor)\n")
    print("| database | version | route | app | floor | ratio |")
    print("| --- | --- | --- | ---: | ---: | ---: |")
    for database, versions in databases.items():
        for version in versions:
            figures = results[database]["warm"][version.label]
            for route in ROUTES:
                app, floor = figures[route]["app"], figures[route]["floor"]
                print(
                    f"| {database} | {version.label} | `{route}` | {app:.0f} µs | {floor:.0f} µs "
                    f"| **{app / floor:.2f}x** |"
                )
    print("\n### ApiFunction after sam build\n")
    print("| database | version | unzipped | zipped | boto3 | tests | imported on a cold `GET /posts` |")
    print("| --- | --- | ---: | ---: | --- | --- | --- |")
    for database, versions in databases.items():
        for version in versions:
            package = version.package
            modules = results[database]["cold"]["details"][(version.label, "GET /posts")]["modules"]
            loaded = ", ".join(name for name, imported in modules.items() if imported) or "none of them"
            print(
                f"| {database} | {version.label} | {package['unzipped']:.1f} MB | {package['zipped']:.1f} MB "
                f"| {'yes' if package['boto3'] else 'no'} | {'yes' if package['tests'] else 'no'} "
                f"| {loaded} (of botocore.client, alembic, yaml, pydantic) |"
            )
    print(
        "\nThe IAM rows run the production settings with DB_IAM_AUTH=true and a token signed from test "
        "credentials; the local servers have no TLS, so the app stops at the login with a 503: the row "
        "is the cold path up to the first login, botocore's import included, against the password floor."
    )
    print(
        "\nThe restored rows time a forked child of a process that ran the init and the before-snapshot "
        "hooks, from its start to the first response (after-restore hooks, login, request); Lambda's own "
        "restore of the snapshot comes on top and is not simulated. The floor is the raw-driver handler's "
        "whole-process cold start of the same run."
    )
    print(
        "\nTLS: the local servers have none, so neither side pays a TLS handshake here. "
        "Both sides run the runtime's Python with the Lambda runtime's boto3 importable."
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.handler", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--at", metavar="REF", action="append", default=[], help="also measure the template at this git ref"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 3 cold runs, 40 warm calls")
    parser.add_argument("--database", choices=DATABASES, action="append", help="only this database")
    arguments = parser.parse_args()
    runs, calls = (3, 40) if arguments.quick else (COLD_RUNS, WARM_CALLS)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-handler-") as output:
        output_dir = Path(output)
        runtime = lambda_runtime(output_dir / "lambda-runtime")
        templates = {ref: template_at(ref, output_dir / f"template-{ref}") for ref in arguments.at}
        templates["now"] = TEMPLATE
        databases: dict[str, list[Version]] = {}
        results: dict[str, Any] = {}
        for database in arguments.database or DATABASES:
            versions = [
                bake_version(label, template, database, output_dir / database / label)
                for label, template in templates.items()
            ]
            for version in versions:
                prepare(version)
            print(f"[{database}] cold starts", file=sys.stderr)
            results[database] = {"cold": cold(versions, runtime, runs)}
            print(f"[{database}] round trips of the first request", file=sys.stderr)
            results[database]["round_trips"] = {
                version.label: first_round_trips(version, runtime) for version in versions
            }
            print(f"[{database}] warm invocations", file=sys.stderr)
            results[database]["warm"] = {version.label: warm(version, runtime, calls) for version in versions}
            databases[database] = versions
    report(databases, results)
    print(f"\nwhole run {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
