import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from bench.project import Project, prepare
from bench.proxy import Proxy
from tests import cloudformation
from tests.baking import CHOICES, DATABASES, DEFAULT_CHOICES, FEATURES, OPTIONS, Baked, bake, combination_name
from tests.servers import drop_databases


def combination(choices: dict[str, str]) -> Any:
    """``choices`` as a parameter, slow unless only the database differs from the defaults.

    ``scripts/test --quick`` (``-m "not slow"``) so bakes one project per database.
    """
    defaults = all(choices[name] == DEFAULT_CHOICES[name] for name in CHOICES if name != "database")
    return pytest.param(choices, id="-".join(choices.values()), marks=() if defaults else pytest.mark.slow)


def combinations() -> list[dict[str, str]]:
    """Every combination of the options with the features off, then each feature on for each database."""
    shaping = {name: values for name, values in CHOICES.items() if name not in FEATURES}
    off = {feature: CHOICES[feature][0] for feature in FEATURES}
    every = [dict(zip(shaping, values, strict=True)) | off for values in itertools.product(*shaping.values())]
    features = [
        DEFAULT_CHOICES | {"database": database, feature: CHOICES[feature][1]}
        for feature in FEATURES
        for database in DATABASES
    ]
    return every + features


COMBINATIONS = [combination(choices) for choices in combinations()]


@pytest.fixture(scope="session", params=COMBINATIONS)
def baked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Baked:
    """A project baked with one combination of the options that change the output."""
    choices = request.param
    baked = bake(tmp_path_factory.mktemp("bake"), project_name=combination_name(*choices.values()), **choices)
    drop_databases(choices["database"], baked.app_name)
    return baked


@pytest.fixture(scope="session")
def template(baked: Baked) -> cloudformation.Template:
    """What sam deploy would make of the baked project's template.yaml, translated once."""
    return cloudformation.translate(baked.path / "template.yaml", OPTIONS["aws_region"])


@pytest.fixture(scope="module", params=DATABASES)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A project baked with the defaults but the database, importable here, its database migrated."""
    purpose = request.module.__name__.split(".")[-1].removeprefix("test_")  # one project per test module
    return prepare(request.param, tmp_path_factory.mktemp(purpose), purpose)


@pytest.fixture
def proxy(project: Project) -> Iterator[Proxy]:
    """The project, started afresh with no posts, talks to its database through the bench's proxy."""
    project.empty()
    with Proxy(project.database, project.server_port) as proxy, project.using(proxy.port):
        yield proxy
