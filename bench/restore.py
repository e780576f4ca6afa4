"""``python -m bench.restore``: where a SnapStart restore's first request spends its time.

``bench.handler`` times a restored first request against the raw-driver floor's whole cold start.
This bench splits that figure, to show what could still move before the snapshot and what could
not. For each database it bakes the template now and prepares it as ``bench.handler`` does (sam
build, test database, seeded posts). In each run, for each route, a fresh process of the runtime's
Python imports the handler, runs the before-snapshot hooks and forks children, as
``bench.handler``'s restored rows do; each child reports its time and its minor page faults (pages
of the parent it writes to are copied, as a restored environment loads the snapshot's pages on
first touch):

1. restored: the after-restore hooks and the first request, as the app runs them;
2. primed: the same, in a child of a process that served the route once before its hooks and
   then dropped its connection through the after-restore hooks. A snapshot taken after a request
   is what SnapStart's rules forbid here (the issue keeps connections out of the snapshot); the
   difference to 1 is the most that moving work before the snapshot could save: the dialect's
   first-connect queries, statement compilation, first-call caches;
3. raw: the raw-driver floor's module (connect) and handler, run in such a child: what the login,
   the SQL and the touched pages cost without the app.

The floor's whole-process cold start of the same run is the denominator, as in ``bench.handler``.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.handler import (
    EVENTS,
    PATHS,
    ROUTES,
    RUNTIME_ENVIRONMENT,
    Version,
    bake_version,
    cold_code,
    floor_code,
    lambda_runtime,
    prepare,
    remove_bench_posts,
    timed_run,
)
from tests.baking import DATABASES, DEFAULT_CHOICES, TEMPLATE, runtime_python

RUNS = 15
KINDS = ("restored", "primed", "raw")
TIMED = (*KINDS, "floor")
FORKED = """
import importlib, os, random, resource, time
import snapshot_restore_py
handler = getattr(importlib.import_module({module!r}), {name!r})

def run_hooks(phase):
    for hook, args, kwargs in getattr(snapshot_restore_py, phase)():
        hook(*args, **kwargs)

def in_child(serve):
    report, child_report = os.pipe()
    if os.fork() == 0:
        try:
            faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            started = time.perf_counter()
            random.setstate(snapshot_random_state)
            status = serve()
            printed = {{"status": status, "ms": (time.perf_counter() - started) * 1000,
                        "faults": resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults}}
        except BaseException as error:  # the parent reports why
            printed = {{"status": 599, "error": repr(error)}}
        os.write(child_report, json.dumps(printed).encode())
        os._exit(0)
    os.close(child_report)
    printed = json.loads(os.read(report, 4096))
    os.wait()
    return printed

def restored():
    run_hooks("get_after_restore")
    return handler(event({route!r}, {post_id}, 1), Context(1))["statusCode"]

def raw():
    exec({floor!r}, globals())  # the floor's module: connects at module scope
    return floor_handler(event({route!r}, {post_id}, 1), Context(1))["statusCode"]

run_hooks("get_before_snapshot")
snapshot_random_state = random.getstate()
figures = {{"restored": in_child(restored), "raw": in_child(raw)}}
handler(event({route!r}, {post_id}, 0), Context(0))  # primed: served once,
run_hooks("get_after_restore")  # its connection dropped as a restore drops it,
run_hooks("get_before_snapshot")  # which the hooks check
snapshot_random_state = random.getstate()
figures["primed"] = in_child(restored)
print(json.dumps(figures))
"""


def measure(version: Version, runtime: Path, runs: int) -> dict[tuple[str, str], list[dict[str, float]]]:
    """Per route and kind (and the floor's cold start), the samples of ``runs`` turns."""
    python = runtime_python(DEFAULT_CHOICES["python_version"])
    environment = version.environment(**RUNTIME_ENVIRONMENT)
    module, name = version.handler.rsplit(".", 1)
    samples: dict[tuple[str, str], list[dict[str, float]]] = {}
    for _ in range(runs):
        for route in ROUTES:
            key = version.routes[route]
            code = PATHS.format(function=str(version.function), runtime=str(runtime)) + EVENTS
            code += FORKED.format(
                module=module, name=name, route=key, post_id=version.post_id, floor=floor_code(version)
            )
            _, printed = timed_run(python, code, environment)
            for kind in KINDS:
                if printed[kind]["status"] >= 300:
                    raise SystemExit(f"bench: {kind} {route} answered {printed[kind]}")
                samples.setdefault((route, kind), []).append(printed[kind])
            floor = cold_code(version, runtime, route, "floor", version.post_id)
            elapsed, _ = timed_run(python, floor, environment)
            samples.setdefault((route, "floor"), []).append({"ms": elapsed})
            if route == "POST /posts":
                remove_bench_posts(version)
    return samples


def report(results: dict[str, dict[tuple[str, str], list[dict[str, float]]]]) -> None:
    """The figures as a Markdown table: medians, ratios to the floor's cold start, page faults."""
    print("\n### A restored first request, split (median ms; ratio to the raw floor's cold start)\n")
    print(
        "| database | route | floor cold start | restored | primed (not allowed) | raw in a restored child "
        "| page faults: restored / primed / raw |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for database, samples in results.items():
        for route in ROUTES:
            ms = {
                kind: statistics.median(one["ms"] for one in samples[(route, kind)])
                for kind in [*KINDS, "floor"]
            }
            faults = [statistics.median(one["faults"] for one in samples[(route, kind)]) for kind in KINDS]
            cells = " | ".join(f"{ms[kind]:.1f} ms ({ms[kind] / ms['floor']:.2f}x)" for kind in KINDS)
            print(
                f"| {database} | `{route}` | {ms['floor']:.0f} ms | {cells} "
                f"| {' / '.join(f'{count:.0f}' for count in faults)} |"
            )
    print(
        "\nprimed: the parent served the route once, then its connection was dropped by the after-restore "
        "hooks; the difference to restored bounds what moving work before the snapshot could save. raw: "
        "the floor's connect and SQL in a child of the same parent. Page faults are the child's minor "
        "faults from its start to its answer."
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.restore", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS, help=f"turns per route (default {RUNS})")
    parser.add_argument("--database", choices=DATABASES, action="append", help="only this database")
    arguments = parser.parse_args()
    started = time.monotonic()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-restore-") as output:
        output_dir = Path(output)
        runtime = lambda_runtime(output_dir / "lambda-runtime")
        for database in arguments.database or DATABASES:
            version = bake_version("now", TEMPLATE, database, output_dir / database)
            prepare(version)
            print(f"[{database}] restored, primed and raw children", file=sys.stderr)
            results[database] = measure(version, runtime, arguments.runs)
    report(results)
    print(f"\nwhole run {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
