import itertools
from collections.abc import Iterator

import pytest

from bench.project import Project, prepare
from bench.proxy import Proxy
from tests.baking import CHOICES, DATABASES, Baked, bake, combination_name
from tests.servers import drop_databases

COMBINATIONS = [dict(zip(CHOICES, values, strict=True)) for values in itertools.product(*CHOICES.values())]


@pytest.fixture(
    scope="session", params=COMBINATIONS, ids=["-".join(choice.values()) for choice in COMBINATIONS]
)
def baked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Baked:
    """A project baked with one combination of the options that change the output."""
    choices = request.param
    baked = bake(tmp_path_factory.mktemp("bake"), project_name=combination_name(*choices.values()), **choices)
    drop_databases(choices["database"], baked.package)
    return baked


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
