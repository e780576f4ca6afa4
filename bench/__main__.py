"""``python -m bench``: measure the generated app's database runtime against the alternatives.

For each database it bakes a project with the template's defaults, creates and migrates its test
database on the local server, and prints, for the variants of ``bench.variants``:

1. round trips per warm invocation, counted on the wire by ``bench.proxy``, and the idle ping;
2. warm latency (median and p99) as a ratio to B, on loopback and with 0.5 ms added each way;
3. cold start, as on Lambda: a fresh process of the runtime's Python that sees only the built API
   function, the standard library and boto3 (which the Lambda runtime provides), importing the
   handler and serving one invocation, against a floor process that imports SQLAlchemy's ORM and
   the driver, connects and runs one query; and the same with IAM authentication, which signs a
   token and so imports botocore (the local server has no TLS, so that invocation ends in a 503);
4. connections: processes x invocations, the server's peak connection count, and after exit;
5. package size of the API function after ``sam build``.

The figures go to standard output as Markdown tables and to ``bench/latest.png``.
"""

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.events import CONTEXT, http_event
from bench.project import Project, prepare
from bench.proxy import Proxy
from bench.variants import NAMES, build
from tests.baking import DATABASES, TEMPLATE, built_functions, runtime_python, sam_build

LETTERS = "ABCD"
ROUND_TRIP_INVOCATIONS = 20
PING_AFTER_IDLE = 0.2
READS = 2000
WRITES = 1000
DELAY = 0.0005
SPARSE = 10  # C, which connects every time, is timed on one turn in SPARSE
COLD_RUNS = 15
PROCESSES = 4
PROCESS_INVOCATIONS = 100
PNG = Path(__file__).with_name("latest.png")

COLD_APP = """
import json, sys
from types import SimpleNamespace
sys.path[:0] = [{function!r}, {runtime!r}]
from app.main import handler, logger
logger.registered_handler.setStream(sys.stderr)  # stdout carries the answer
response = handler(json.loads({event!r}), SimpleNamespace(**{context!r}))
assert response["statusCode"] == {status}, response
print(json.dumps({{name: name in sys.modules for name in ("botocore.client", "alembic", "yaml")}}))
"""
# What the Lambda runtime adds to the path: boto3 and its dependencies.
LAMBDA_RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
COLD_FLOOR = {
    "mysql": """
import sys
sys.path.insert(0, {function!r})
import sqlalchemy.orm, pymysql
connection = pymysql.connect(host="127.0.0.1", port={port}, user="root", database="{name}")
cursor = connection.cursor()
cursor.execute("SELECT id, title, body, created_at, updated_at FROM posts WHERE id = {post_id}")
assert cursor.fetchone()
""",
    "postgresql": """
import sys
sys.path.insert(0, {function!r})
import sqlalchemy.orm, psycopg2
connection = psycopg2.connect(
    host="127.0.0.1", port={port}, user="postgres", dbname="{name}", sslmode="disable"
)
cursor = connection.cursor()
cursor.execute("SELECT id, title, body, created_at, updated_at FROM posts WHERE id = {post_id}")
assert cursor.fetchone()
""",
}
SERVE = "from bench.variants import serve; serve({letter!r}, {database!r}, {port}, {name!r}, {count})"


def seed(project: Project, count: int = 100) -> int:
    """Insert ``count`` posts with B; the id of the first."""
    variant = build("B", project.database, project.server_port, project.database_name)
    ids = [variant.write(f"seed {number}") for number in range(count)]
    variant.close()
    return ids[0]


def per_invocation(proxy: Proxy, operation: Callable[[], object]) -> tuple[float, str]:
    """Round trips of one warm invocation (an average), and what one of them sent."""
    proxy.reset()
    operation()
    sent = " + ".join(
        f"{message.kind}:{message.text[:24].strip()}"
        if message.kind == "query" or len(message.kind) == 1
        else message.kind
        for message in proxy.messages
        if message.awaits_reply
    )
    proxy.reset()
    for _ in range(ROUND_TRIP_INVOCATIONS):
        operation()
    return proxy.round_trips() / ROUND_TRIP_INVOCATIONS, sent


def round_trips(project: Project, post_id: int) -> dict[str, Any]:
    """Figure 1: round trips per warm read and write, and A's ping after idleness."""
    figures: dict[str, Any] = {}
    proxy = Proxy(project.database, project.server_port).start()
    with project.using(proxy.port, DB_PING_AFTER_IDLE=str(PING_AFTER_IDLE)):
        for letter in LETTERS:
            variant = build(letter, project.database, proxy.port, project.database_name)
            variant.read(variant.write("warm up"))
            read, read_sent = per_invocation(proxy, lambda variant=variant: variant.read(post_id))
            write, write_sent = per_invocation(proxy, lambda variant=variant: variant.write("counted"))
            figures[letter] = {"read": read, "write": write, "read_sent": read_sent, "write_sent": write_sent}
            if letter == "A":
                time.sleep(PING_AFTER_IDLE / 4)
                figures["idle_before"] = per_invocation(proxy, lambda variant=variant: variant.read(post_id))[
                    0
                ]
                proxy.reset()
                time.sleep(PING_AFTER_IDLE * 1.5)
                variant.read(post_id)
                figures["idle_after"] = proxy.round_trips()
            variant.close()
    proxy.stop()
    return figures


def timings(calls: dict[str, Callable[[Any], object]], count: int, argument: Callable[[int], Any]) -> dict:
    """Median and p99 in microseconds per call, the calls taking turns (C one turn in SPARSE)."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for number in range(count):
        for name, call in calls.items():
            if name == "C" and number % SPARSE:
                continue  # tens of milliseconds a call: a fraction of the samples says as much
            started = time.perf_counter_ns()
            call(argument(number))
            samples[name].append((time.perf_counter_ns() - started) / 1000)
    return {
        name: {"median": statistics.median(values), "p99": statistics.quantiles(values, n=100)[98]}
        for name, values in samples.items()
    }


def latency(project: Project, post_id: int, port: int) -> dict[str, Any]:
    """Figure 2, for one network: warm read and write latency of every variant."""
    with project.using(port):
        variants = {
            letter: build(letter, project.database, port, project.database_name) for letter in LETTERS
        }
        for variant in variants.values():  # warm up: connections, compiled statements, caches
            for number in range(20):
                variant.read(variant.write(f"warm up {number}"))
        reads = {letter: variant.read for letter, variant in variants.items()}
        writes = {letter: variant.write for letter, variant in variants.items()}
        figures = {
            "read": timings(reads, READS, lambda number: post_id + number % 100),
            "write": timings(writes, WRITES, lambda number: f"post {number}"),
        }
        for variant in variants.values():
            variant.close()
    return figures


def read_breakdown(project: Project, post_id: int) -> dict[str, float]:
    """Where A's warm read goes, on loopback: median microseconds of its parts, beside B."""
    from sqlalchemy import select

    with project.using():
        db = project.module("db")
        post = project.module("models").Post
        raw = build("B", project.database, project.server_port, project.database_name)
        table = post.__table__

        def unit_of_work(post_id: int) -> None:
            with db.session_scope(readonly=True):
                pass

        def core_select(post_id: int) -> None:
            with db.session_scope(readonly=True) as session:
                session.connection().execute(select(table).where(table.c.id == post_id)).one()

        def orm_get(post_id: int) -> None:
            with db.session_scope(readonly=True) as session:
                session.get(post, post_id)

        calls = {
            "B: raw driver, SELECT by id": raw.read,
            "A's read-only unit alone (session, checkout, liveness check, close, checkin)": unit_of_work,
            "A's unit of work + Core SELECT by id": core_select,
            "A's unit of work + ORM session.get (= A)": orm_get,
        }
        for call in calls.values():
            for _ in range(50):
                call(post_id)
        figures = timings(calls, READS, lambda number: post_id + number % 100)
        raw.close()
    return {name: timing["median"] for name, timing in figures.items()}


def delayed_proxy(project: Project) -> subprocess.Popen[str]:
    """The proxy in a process of its own, adding DELAY each way; its port is its first line."""
    return subprocess.Popen(
        [sys.executable, "-m", "bench.proxy", project.database, str(project.server_port), str(DELAY)],
        cwd=TEMPLATE,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def timed_run(python: Path, code: str, environment: dict[str, str]) -> tuple[float, str]:
    """Wall time in ms of a fresh, isolated ``python`` (no site-packages) running ``code``, and its output."""
    started = time.perf_counter()
    result = subprocess.run(
        [python, "-I", "-S", "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return (time.perf_counter() - started) * 1000, result.stdout.strip()


def lambda_runtime(folder: Path) -> Path:
    """``folder``, holding links to this Python's copies of the packages the Lambda runtime provides."""
    folder.mkdir(exist_ok=True)
    for name in LAMBDA_RUNTIME_PACKAGES:
        source = Path(importlib.util.find_spec(name).origin)
        source = source.parent if source.name == "__init__.py" else source
        if not (folder / source.name).exists():
            (folder / source.name).symlink_to(source)
    return folder


def cold_start(project: Project, post_id: int, function: Path) -> dict[str, Any]:
    """Figure 3: a fresh process serving its first invocation from the built ``function``, and the floor.

    With IAM authentication the production settings apply (TLS required, a token signed with test
    credentials): the local server, which has no TLS, is refused before the login, so the figure
    is the cold path up to the first connection, botocore included.
    """
    python = runtime_python(project.baked.context["python_version"])
    environment = project.environment(AWS_LAMBDA_FUNCTION_NAME="bench")
    iam_environment = environment | {
        "APP_ENV": "production",
        "DB_HOST": "127.0.0.1",
        "DB_USER": {"mysql": "root", "postgresql": "postgres"}[project.database],
        "DB_NAME": project.database_name,
        "DB_IAM_AUTH": "true",
        "DB_SSL": "true",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    runtime = str(lambda_runtime(function.parent / "lambda-runtime"))
    event = http_event("GET /posts/{post_id}", post_id=str(post_id))
    show = {"event": json.dumps(event), "context": vars(CONTEXT)}
    app_code = COLD_APP.format(function=str(function), runtime=runtime, status=200, **show)
    iam_code = COLD_APP.format(function=str(function), runtime=runtime, status=503, **show)
    floor_code = COLD_FLOOR[project.database].format(
        function=str(function), port=project.server_port, name=project.database_name, post_id=post_id
    )
    app, iam, floor, loaded, iam_loaded = [], [], [], "", ""
    for _ in range(COLD_RUNS):
        elapsed, loaded = timed_run(python, app_code, environment)
        app.append(elapsed)
        elapsed, iam_loaded = timed_run(python, iam_code, iam_environment)
        iam.append(elapsed)
        floor.append(timed_run(python, floor_code, environment)[0])
    return {
        "app": statistics.median(app),
        "floor": statistics.median(floor),
        "modules": json.loads(loaded),
        "iam": statistics.median(iam),
        "iam_modules": json.loads(iam_loaded),
    }


def connections(project: Project) -> dict[str, Any]:
    """Figure 4: PROCESSES environments serving PROCESS_INVOCATIONS each, counted by the server."""
    environment = project.environment()
    environment["PYTHONPATH"] += os.pathsep + str(TEMPLATE)
    figures = {}
    for letter in "ACD":
        code = SERVE.format(
            letter=letter,
            database=project.database,
            port=project.server_port,
            name=project.database_name,
            count=PROCESS_INVOCATIONS,
        )
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", code],
                env=environment,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(PROCESSES)
        ]
        peak, waiting = 0, list(processes)
        while waiting:
            peak = max(peak, project.server_connections())
            waiting = [process for process in waiting if not _said_done(process)]
        held = project.server_connections()
        for process in processes:
            process.stdin.close()
            process.wait(timeout=30)
        deadline = time.monotonic() + 5
        while project.server_connections() and time.monotonic() < deadline:
            time.sleep(0.05)
        figures[letter] = {"peak": max(peak, held), "held": held, "after": project.server_connections()}
    return figures


def _said_done(process: subprocess.Popen[str]) -> bool:
    """True once ``process`` has printed "done" (polls without blocking for long)."""
    import select

    if select.select([process.stdout], [], [], 0.01)[0]:
        return process.stdout.readline().strip() == "done"
    return False


def package_size(project: Project) -> dict[str, Any]:
    """Figure 5: the API function as ``sam build`` leaves it, unzipped and zipped."""
    result = sam_build(project.baked, "ApiFunction")
    function = built_functions(project.baked) / "ApiFunction"
    if result.returncode != 0 or not function.is_dir():
        return {"status": "sam build failed: " + (result.stderr or result.stdout).strip().splitlines()[-1]}
    files = [file for file in function.rglob("*") if file.is_file()]
    archive = function.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for file in files:
            zipped.write(file, file.relative_to(function))
    parts = {part for file in files for part in file.relative_to(function).parts}
    return {
        "status": "built",
        "unzipped": sum(file.stat().st_size for file in files) / 1e6,
        "zipped": archive.stat().st_size / 1e6,
        "boto3": "boto3" in parts or "botocore" in parts,
        "tests": "tests" in parts or "testing" in parts,
        "pycache": sum(1 for folder in function.rglob("__pycache__") if folder.is_dir()),
        "c_sources": any(file.suffix in (".c", ".pyx") for file in files),
    }


def measure(database: str, output_dir: Path) -> dict[str, Any]:
    """Every figure for one database."""
    project = prepare(database, output_dir, "Bench")
    post_id = seed(project)
    print(f"[{database}] round trips", file=sys.stderr, flush=True)
    figures: dict[str, Any] = {"round_trips": round_trips(project, post_id)}
    print(f"[{database}] latency on loopback", file=sys.stderr, flush=True)
    figures["loopback"] = latency(project, post_id, project.server_port)
    figures["breakdown"] = read_breakdown(project, post_id)
    print(f"[{database}] latency with {DELAY * 1000} ms each way", file=sys.stderr, flush=True)
    proxy = delayed_proxy(project)
    try:
        figures["delayed"] = latency(project, post_id, int(proxy.stdout.readline()))
    finally:
        proxy.stdin.close()
        proxy.wait(timeout=10)
    print(f"[{database}] package size (sam build)", file=sys.stderr, flush=True)
    figures["package"] = package_size(project)
    if figures["package"]["status"] != "built":
        raise SystemExit(f"bench: {figures['package']['status']}")
    print(f"[{database}] cold start of the built function", file=sys.stderr, flush=True)
    figures["cold"] = cold_start(project, post_id, built_functions(project.baked) / "ApiFunction")
    print(f"[{database}] connections", file=sys.stderr, flush=True)
    figures["connections"] = connections(project)
    return figures


def main() -> None:
    from bench.report import plot, print_tables

    if "--quick" in sys.argv:  # a smoke run: fewer invocations, same figures
        global READS, WRITES, COLD_RUNS
        READS, WRITES, COLD_RUNS = 200, 100, 3
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-") as output_dir:
        results = {database: measure(database, Path(output_dir)) for database in DATABASES}
    print_tables(results, NAMES, PROCESSES, PROCESS_INVOCATIONS)
    plot(results, PNG)
    print(f"\nplot: {PNG.relative_to(TEMPLATE)}; whole run {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
