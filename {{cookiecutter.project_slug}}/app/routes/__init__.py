"""The API's routes: one module per resource, each with a Powertools ``Router`` named ``router``.

``app/main.py`` includes the router of every module here: a new file of routes is served as it
is, with no list to add it to. template.yaml must route its paths to the function too (a test
says what to add: see "Adding a route" in docs/api.md).
"""

import importlib
import pkgutil

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter


def routers() -> list[APIGatewayHttpRouter]:
    """The router of each module of this package, in the modules' alphabetical order, each once."""
    names = [found.name for found in pkgutil.iter_modules(__path__)]
    modules = [importlib.import_module(f"{__name__}.{name}") for name in names]
    return list(dict.fromkeys(module.router for module in modules))
