"""Run calls at the same moment, as two deploys or two invocations at once would."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


def together[T](*calls: Callable[[], T]) -> list[T | Exception]:
    """Run ``calls`` at once, each in a thread of its own (with its own connections); their results,
    or the errors they raised."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T | Exception:
        start.wait()
        try:
            return call()
        except Exception as error:
            return error

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))
