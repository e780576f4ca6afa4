"""The OpenAPI document, made from the code: valid, listing every route, and true to the answers."""

import json

import pytest
from invoke import Context
from openapi_schema_validator import validate as validate_value
from openapi_spec_validator import validate

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
