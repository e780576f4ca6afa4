import itertools

import pytest

from tests.baking import DATABASES, PYTHON_VERSIONS, Baked, bake, combination_name
from tests.servers import drop_databases

COMBINATIONS = list(itertools.product(DATABASES, PYTHON_VERSIONS))


@pytest.fixture(scope="session", params=COMBINATIONS, ids=["-".join(c) for c in COMBINATIONS])
def baked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Baked:
    """A project baked with one combination of the options that change the output."""
    database, python_version = request.param
    baked = bake(
        tmp_path_factory.mktemp("bake"),
        project_name=combination_name(database, python_version),
        database=database,
        python_version=python_version,
    )
    drop_databases(database, baked.package)
    return baked
