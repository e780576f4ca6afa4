import itertools

import pytest

from tests.baking import CHOICES, Baked, bake, combination_name
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
