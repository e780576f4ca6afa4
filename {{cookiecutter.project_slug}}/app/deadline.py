"""One deadline per invocation: every wait of the request path ends before Lambda's timeout.

Each wait has a timeout of its own (database.yml's connect and read timeouts, ``aws``'s), but an
invocation makes many: a cold connection alone is a dozen round trips. The handler sets a deadline
from Lambda's ``context.get_remaining_time_in_millis()``, less ``MARGIN`` seconds kept to answer;
every wait then takes the smaller of its own timeout and the time left (``bounded``), so a slow
database or service costs a 503 from the app, not Lambda's timeout and API Gateway's error.

What is bounded: each wait of the database driver, connecting included (``db/driver.py``), and
each AWS call in the request path (``aws.client_within_deadline``).
Waiting for a pooled connection is not: Lambda gives an execution environment one invocation at
a time, so its pool never makes one wait. Signing an IAM token makes no network call.

Outside an invocation (tasks, migrations, tests) there is no deadline: the timeouts apply alone.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

MARGIN = 1.0  # seconds kept, after the last wait, to log and answer
_deadline: ContextVar[float | None] = ContextVar("deadline", default=None)  # time.monotonic()'s clock


@contextmanager
def invocation(remaining_ms: int) -> Iterator[None]:
    """Bound the waits of an invocation that Lambda will stop ``remaining_ms`` milliseconds from now."""
    token = _deadline.set(time.monotonic() + remaining_ms / 1000 - MARGIN)
    try:
        yield
    finally:
        _deadline.reset(token)


def time_left() -> float | None:
    """Seconds until the deadline (0 once it has passed), or None outside an invocation."""
    deadline = _deadline.get()
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def bounded(timeout: float | None) -> float | None:
    """The smaller of ``timeout`` (None: no limit) and the time left."""
    left = time_left()
    if left is None:
        return timeout
    return left if timeout is None else min(timeout, left)
