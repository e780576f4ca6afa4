"""The ${r.table} API without a database: what it refuses before reaching one.

Written by invoke generate.resource.
"""

import pytest

from app.main import handler

from tests.events import invoke

# ${r.article.capitalize()} ${r.human} as the API takes it.
${r.const} = ${r.example(0, parent_id="1")}
% if r.refused:
# For each field that has a limit, a value past it.
REFUSED = ${r.refused}
% endif
ROUTES_OF_ONE = ["GET /${r.table}/{${r.id_name}}", "PUT /${r.table}/{${r.id_name}}", "DELETE /${r.table}/{${r.id_name}}"]
% if r.fields:


def test_a_${r.name}_missing_its_fields_is_a_422_naming_each() -> None:
    status, answer = invoke(handler, "POST /${r.table}", {})
    assert status == 422, answer
    assert answer["error"] == "; ".join(f"{name}: Field required" for name in ${r.const})
% endif
% if r.refused:


@pytest.mark.parametrize(("field", "value"), REFUSED.items())
def test_a_value_past_its_column_is_a_422_naming_the_field(field: str, value: object) -> None:
    for route in ("POST /${r.table}", "PUT /${r.table}/{${r.id_name}}"):
        status, answer = invoke(handler, route, ${r.const} | {field: value}, ${r.id_name}="1")
        assert status == 422, answer
        assert answer["error"].startswith(f"{field}: "), answer
% endif


@pytest.mark.parametrize("route", ROUTES_OF_ONE)
def test_an_id_that_is_no_positive_number_is_a_422(route: str) -> None:
    body = ${r.const} if route.startswith("PUT") else None
    for ${r.id_name} in ("x", "0"):
        status, answer = invoke(handler, route, body, ${r.id_name}=${r.id_name})
        assert status == 422, answer
        assert answer["error"].startswith("${r.id_name}: "), answer
