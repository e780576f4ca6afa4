"""invoke tasks: ``invoke --list`` shows them all.

Each module of this folder that defines tasks is a collection of its name (``invoke db.migrate``);
a module named after its one task is a task of its own (``invoke deploy``, ``invoke check``).
"""

import importlib
import pkgutil
from collections.abc import Iterator
from types import ModuleType

from invoke import Collection, Task


def entries() -> Iterator[ModuleType | Task]:
    """The modules of this folder that define tasks, or their task when it has the module's name."""
    for found in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{found.name}")
        own = getattr(module, found.name, None)
        if isinstance(own, Task):
            yield own
        elif any(isinstance(value, Task) for value in vars(module).values()):
            yield module


namespace = Collection(*entries())
