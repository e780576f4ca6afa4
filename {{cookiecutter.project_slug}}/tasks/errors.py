"""Turn the app's expected errors into one line on stderr and exit status 1."""

import functools
from collections.abc import Callable
from typing import Any

from invoke.exceptions import Exit

from app.errors import ConfigurationError, DatabaseUnavailableError
from app.migrate import MigrationError

from tasks.protection import ProtectedDatabaseError
from tasks.stack import DeploymentError


class TaskError(Exception):
    """A mistake in what a task was asked (a resource's name, a field's type): one line names the fix."""


EXPECTED = (
    ConfigurationError,
    DatabaseUnavailableError,
    DeploymentError,
    MigrationError,
    ProtectedDatabaseError,
    TaskError,
)


def one_line_errors[F: Callable[..., Any]](task_body: F) -> F:
    """Decorate a task body so that an expected error ends it with ``error: <message>``."""

    @functools.wraps(task_body)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return task_body(*args, **kwargs)
        except EXPECTED as error:
            raise Exit(f"error: {error}", code=1) from None

    return run  # type: ignore[return-value]
