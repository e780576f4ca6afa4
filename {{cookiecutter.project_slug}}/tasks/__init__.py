"""invoke tasks: ``invoke --list`` shows them all.

Each module of this folder that defines tasks is a collection of its name (``invoke db.migrate``);
``deploy`` is a task of its own (``invoke deploy``).
"""

import importlib
import pkgutil
from collections.abc import Iterator
from types import ModuleType

from invoke import Collection, Task

from tasks.deploy import deploy


def task_modules() -> Iterator[ModuleType]:
    """The modules of this folder that define tasks, but deploy's."""
    for found in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{found.name}")
        if found.name != "deploy" and any(isinstance(value, Task) for value in vars(module).values()):
            yield module


namespace = Collection(*task_modules(), deploy)
