"""``python -m bench.deadline``: the longest invocation per route on a slow network, against Lambda's timeout.

For each database it bakes a project from the template's working tree (labelled "now"; with
``--at REF``, once or more, also from the template as git has it at each REF), without and with
DynamoDB, creates and migrates its test database, and calls its handler in this process, as
Lambda does, with a context that has the function's 10 s left. The database is behind
``bench.proxy``, which adds each of FAULTS to every round trip (half to each message, each way)
or black-holes the connection; a DynamoDB project's view counter goes to a port that never
answers. Each route is invoked cold (a new engine: the connection and SQLAlchemy's first-connect
queries) and warm (on a connection that has just served it), once per fault.

It prints, per version, database and route, the longest invocation cold and warm and what it
answered, against the 10 s Lambda gives (past it, Lambda kills the invocation and the client gets
API Gateway's error), then the round trips of a cold GET /posts/{post_id} on a healthy network.
"""

import argparse
import contextlib
import os
import socket
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cookiecutter.main import cookiecutter

from bench.events import CONTEXT_FIELDS, FUNCTION_TIMEOUT_MS, http_event
from bench.handler import template_at
from bench.project import Project, checkout_name
from bench.proxy import Proxy
from tests.baking import DATABASES, DEFAULT_CHOICES, TEMPLATE, Baked
from tests.servers import drop_databases

FAULTS = (0.5, 2.5, 4.5, "black hole")  # seconds added to each round trip, or no answer at all
ROUTES = {"sql": ("GET /posts", "GET /posts/{post_id}", "POST /posts"), "dynamodb": ("GET /posts/{post_id}",)}
OPTIONS = {"sql": {}, "dynamodb": {"dynamodb": "yes"}}


def prepare_at(template: Path, label: str, database: str, variant: str, output_dir: Path) -> Project:
    """Bake ``template`` for ``database`` and ``variant``; create and migrate its test database."""
    context = {"project_name": checkout_name(f"Slow {label} {variant}", database), "database": database}
    context |= OPTIONS[variant]
    path = cookiecutter(str(template), no_input=True, output_dir=str(output_dir), extra_context=context)
    baked = Baked(Path(path), DEFAULT_CHOICES | context)
    drop_databases(database, baked.app_name)
    project = Project(database, baked)
    with project.using():
        project.module("migrate").handler({}, None)
    return project


def invoke(project: Project, route: str, post_id: str) -> tuple[int, float]:
    """The status of one invocation of ``route`` with the function's whole timeout left, and its seconds."""
    context = SimpleNamespace(**CONTEXT_FIELDS, get_remaining_time_in_millis=lambda: FUNCTION_TIMEOUT_MS)
    body = {"title": "bench"} if route.startswith("POST") else None
    path = {"post_id": post_id} if "{post_id}" in route else {}
    started = time.monotonic()
    response = project.module("main").handler(http_event(route, body, **path), context)
    return response["statusCode"], time.monotonic() - started


def slow_down(proxy: Proxy, fault: float | str, cold: bool) -> None:
    """Make the network to the database as ``fault`` says, for a cold or a warm invocation."""
    if fault == "black hole":
        proxy.mute() if cold else proxy.hold()
    else:
        proxy.delay = fault / 2  # the proxy delays each message, each way


def heal(proxy: Proxy) -> None:
    """The network as it was."""
    proxy.delay = 0
    proxy.mute(False)
    proxy.cut()  # held connections go: the next invocation finds its connection closed, and reconnects


def measure(project: Project, variant: str) -> dict[str, Any]:
    """Per route, the longest cold and warm invocation over FAULTS; the round trips of a cold read."""
    with project.using():
        assert invoke(project, "POST /posts", "")[0] == 201
    post_id = str(project.scalar("SELECT MAX(id) FROM posts"))
    figures: dict[str, Any] = {}
    proxy = Proxy(project.database, project.server_port)
    with socket.create_server(("127.0.0.1", 0)) as black_hole, proxy:
        endpoint = {"DYNAMODB_ENDPOINT": f"http://127.0.0.1:{black_hole.getsockname()[1]}"}
        with project.using(proxy.port, **(endpoint if variant == "dynamodb" else {})):
            if variant == "dynamodb":
                project.module("dynamodb").app_table.cache_clear()
            proxy.reset()
            invoke(project, "GET /posts/{post_id}", post_id)
            figures["cold round trips"] = proxy.round_trips()
            for route in ROUTES[variant]:
                for kind in ("cold", "warm"):
                    runs = []
                    for fault in FAULTS:
                        if kind == "cold":
                            project.module("db").reset()
                        else:
                            heal(proxy)
                            invoke(project, route, post_id)  # warms the connection up
                        slow_down(proxy, fault, kind == "cold")
                        status, elapsed = invoke(project, route, post_id)
                        heal(proxy)
                        runs.append((elapsed, status, fault))
                        where = f"{project.database} {variant} {route} {kind} {fault}"
                        print(f"  {where}: {status} in {elapsed:.1f} s", file=sys.stderr)
                    figures[f"{route} {kind}"] = max(runs)
    return figures


def report(results: dict[tuple[str, str, str], dict[str, Any]]) -> None:
    timeout = FUNCTION_TIMEOUT_MS / 1000
    print(f"#### Longest invocation per route over {', '.join(map(str, FAULTS))} (s per round trip)\n")
    print(f"Lambda's timeout: {timeout:.0f} s; past it the client gets API Gateway's error, not the app's.\n")
    print("| version | database | variant | route | cold | warm |")
    print("| --- | --- | --- | --- | ---: | ---: |")
    for (label, database, variant), figures in results.items():
        for route in ROUTES[variant]:
            cells = []
            for kind in ("cold", "warm"):
                elapsed, status, fault = figures[f"{route} {kind}"]
                verdict = "" if elapsed < timeout else " **killed**"
                cells.append(f"{elapsed:.1f} s ({status}, {fault}){verdict}")
            print(f"| {label} | {database} | {variant} | `{route}` | {cells[0]} | {cells[1]} |")
    print("\n#### Round trips of a cold GET /posts/{post_id} (the TCP connection included)\n")
    print("| version | database | round trips |")
    print("| --- | --- | ---: |")
    for (label, database, variant), figures in results.items():
        if variant == "sql":
            print(f"| {label} | {database} | {figures['cold round trips']} |")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.deadline", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--at", metavar="REF", action="append", default=[], help="also measure the template at this git ref"
    )
    parser.add_argument("--database", choices=DATABASES, action="append", help="only this database")
    arguments = parser.parse_args()
    started = time.monotonic()
    # The tables alone on standard output: the baking hooks' messages and the app's log go to stderr.
    tables = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    results: dict[tuple[str, str, str], dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-deadline-") as output:
        output_dir = Path(output)
        templates = {ref: template_at(ref, output_dir / f"template-{ref}") for ref in arguments.at}
        templates["now"] = TEMPLATE
        for label, template in templates.items():
            for database in arguments.database or DATABASES:
                for variant in OPTIONS:
                    print(f"[{database}] {label} {variant}", file=sys.stderr)
                    folder = output_dir / label / database / variant
                    project = prepare_at(template, label, database, variant, folder)
                    results[(label, database, variant)] = measure(project, variant)
    with tables, contextlib.redirect_stdout(tables):
        report(results)
        print(f"\nwhole run {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
