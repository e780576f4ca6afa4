"""``python -m bench``: measure the generated app's database runtime against the alternatives.

For each database it bakes a project with the template's defaults, creates and migrates its test
database on the local server, and prints, for the variants of ``bench.variants``:

1. round trips per warm invocation, counted on the wire by ``bench.proxy``, and the idle ping;
2. warm latency (median and p99) as a ratio to B, on loopback and with 0.5 ms added each way;
3. connections: processes x invocations, the server's peak connection count, and after exit.

The figures go to standard output as Markdown tables and to ``bench/latest.png``. The whole API
function as Lambda runs it (cold start, warm invocations per route, package size) is measured by
``python -m bench.handler``.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.project import Project, prepare
from bench.proxy import Proxy
from bench.variants import NAMES, build
from tests.baking import DATABASES, TEMPLATE

LETTERS = "ABCD"
ROUND_TRIP_INVOCATIONS = 20
PING_AFTER_IDLE = 0.2
READS = 2000
WRITES = 1000
DELAY = 0.0005
SPARSE = 10  # C, which connects every time, is timed on one turn in SPARSE
PROCESSES = 4
PROCESS_INVOCATIONS = 100
PNG = Path(__file__).with_name("latest.png")

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
    print(f"[{database}] connections", file=sys.stderr, flush=True)
    figures["connections"] = connections(project)
    return figures


def main() -> None:
    from bench.report import plot, print_tables

    if "--quick" in sys.argv:  # a smoke run: fewer invocations, same figures
        global READS, WRITES
        READS, WRITES = 200, 100
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-") as output_dir:
        results = {database: measure(database, Path(output_dir)) for database in DATABASES}
    print_tables(results, NAMES, PROCESSES, PROCESS_INVOCATIONS)
    plot(results, PNG)
    print(f"\nplot: {PNG.relative_to(TEMPLATE)}; whole run {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
