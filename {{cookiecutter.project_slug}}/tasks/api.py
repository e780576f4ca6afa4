"""Call the API function's handler in this process with an event file: no Docker, no SAM CLI."""

import importlib
import json
import os
from pathlib import Path
from typing import Any

import yaml
from invoke import Context, task
from invoke.exceptions import Exit

TEMPLATE = Path(__file__).resolve().parent.parent / "template.yaml"
FUNCTION = "ApiFunction"


class CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (``!Ref``, ``!Sub``...), whose values are not needed here."""


CloudFormationLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def handler_of(function: str) -> Any:
    """The handler that template.yaml names for ``function``, imported."""
    template = yaml.load(TEMPLATE.read_text(), CloudFormationLoader)  # noqa: S506 (a SafeLoader)
    properties = template["Resources"][function]["Properties"]
    module, name = properties["Handler"].rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def read_event(path: str) -> Any:
    """The JSON event in the file ``path``, or a one-line error."""
    try:
        return json.loads(Path(path).read_text())
    except OSError as error:
        raise Exit(f"error: cannot read the event file {path}: {error.strerror}", code=1) from None
    except json.JSONDecodeError as error:
        raise Exit(f"error: the event file {path} is not JSON: {error}", code=1) from None


@task(
    name="invoke",
    help={
        "event": "an event file, e.g. events/get_posts.json",
        "env": "environment of config/database.yml (default: APP_ENV, else development)",
    },
)
def invoke_handler(c: Context, event: str, env: str | None = None) -> None:
    """Run ApiFunction's handler on an event file and print its response, as sam local invoke does."""
    if env:
        os.environ["APP_ENV"] = env
    response = handler_of(FUNCTION)(read_event(event), None)
    print(json.dumps(response, indent=2, ensure_ascii=False))
