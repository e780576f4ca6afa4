"""The OpenAPI document, made from the code: valid, listing every route, and true to the answers."""

import json

import pytest
from invoke import Context
from openapi_schema_validator import OAS31Validator
from openapi_schema_validator import validate as validate_value
from openapi_spec_validator import validate

from app.idempotency import HEADER, KEY_FORMAT, REPLAYED_HEADER
from app.main import handler, route_table

from tasks.api import openapi, openapi_document, swagger_page
from tests.events import call, http_event


@pytest.fixture(scope="module")
def document() -> dict:
    return openapi_document()


def documented_routes(document: dict) -> set[str]:
    paths = document["paths"].items()
    return {f"{method.upper()} {path}" for path, operations in paths for method in operations}


def test_the_document_is_valid_openapi_and_lists_every_route(document: dict) -> None:
    validate(document)
    served = {f"{method} {path}" for path, methods in route_table().items() for method in methods}
    assert documented_routes(document) == served


def idempotency_keys(operation: dict) -> list[dict]:
    return [found for found in operation.get("parameters", []) if found["name"] == HEADER]


def test_every_post_takes_an_optional_idempotency_key_and_may_be_a_replay_or_a_409(document: dict) -> None:
    posts = [item["post"] for item in document["paths"].values() if "post" in item]
    assert posts
    for post in posts:
        [key] = idempotency_keys(post)
        assert (key["in"], key["required"]) == ("header", False)
        assert (key["schema"]["type"], key["schema"]["maxLength"]) == ("string", 255)
        successes = [found for status, found in post["responses"].items() if status.startswith("2")]
        assert successes and all(REPLAYED_HEADER in found["headers"] for found in successes)
        assert "409" in post["responses"]


def test_no_other_method_takes_the_key(document: dict) -> None:
    others = {
        f"{method.upper()} {path}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method != "post"
    }
    assert any(route.startswith("GET ") for route in others)
    keyed = [route for route, operation in others.items() if idempotency_keys(operation)]
    assert keyed == [] and all("409" not in operation["responses"] for operation in others.values())


@pytest.mark.parametrize("key", ["a" * 255, "~!#$%&'*+-.^_`|", "", " ", "a" * 256, "clé", "with space"])
def test_the_documented_key_is_the_key_the_middleware_takes(document: dict, key: str) -> None:
    parameters = document["paths"]["/posts"]["post"]["parameters"]
    schema = next(found["schema"] for found in parameters if found["name"] == HEADER)
    assert OAS31Validator(schema).is_valid(key) == bool(KEY_FORMAT.fullmatch(key))


def test_errors_are_answered_as_documented(document: dict) -> None:
    schema = document["paths"]["/posts"]["post"]["responses"]["422"]["content"]["application/json"]["schema"]
    status, body = call(handler, http_event("POST /posts", {"title": 7}))
    assert status == 422
    validate_value(body, schema | {"components": document["components"]})


def test_invoke_api_openapi_writes_the_document(document: dict, tmp_path, capsys) -> None:
    output = tmp_path / "openapi.json"
    openapi(Context(), output=str(output))
    assert capsys.readouterr().out == f"Wrote {output}\n"
    assert json.loads(output.read_text()) == document


def test_swagger_ui_shows_the_document_with_no_download() -> None:
    page = swagger_page()
    assert "SwaggerUIBundle" in page
    assert all(f'"{path}"' in page for path in route_table())
    assert "<script src=" not in page and "<link " not in page  # its script and style are inline
