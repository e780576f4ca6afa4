import base64
import json

from {{ cookiecutter.package_name }}.handlers.posts import handler

from tests.events import http_event, invoke


def test_create_then_show_and_list() -> None:
    status, created = invoke(handler, "POST /posts", {"title": "Hello", "body": "First post"})
    assert status == 201
    assert created["title"] == "Hello"
    assert created["body"] == "First post"
    assert created["created_at"].endswith("Z")

    status, shown = invoke(handler, "GET /posts/{id}", id=str(created["id"]))
    assert (status, shown) == (200, created)

    invoke(handler, "POST /posts", {"title": "Second"})
    status, listed = invoke(handler, "GET /posts")
    assert status == 200
    assert [post["title"] for post in listed["posts"]] == ["Second", "Hello"]


def test_malformed_json_is_a_400() -> None:
    status, body = invoke(handler, "POST /posts", "{not json")
    assert status == 400
    assert body["error"].startswith("request body is not valid JSON")


def test_body_must_be_an_object() -> None:
    assert invoke(handler, "POST /posts", "[1, 2]") == (400, {"error": "request body must be a JSON object"})


def test_missing_title_is_a_422_and_stores_nothing() -> None:
    status, body = invoke(handler, "POST /posts", {"body": "no title"})
    assert (status, body) == (422, {"error": "title is required and must be a non-empty string"})
    assert invoke(handler, "GET /posts") == (200, {"posts": []})


def test_too_long_title_is_a_422() -> None:
    status, body = invoke(handler, "POST /posts", {"title": "x" * 256})
    assert (status, body) == (422, {"error": "title must be at most 255 characters"})


def test_unknown_id_is_a_404() -> None:
    assert invoke(handler, "GET /posts/{id}", id="999999") == (404, {"error": "post 999999 not found"})


def test_non_numeric_id_is_a_404() -> None:
    assert invoke(handler, "GET /posts/{id}", id="abc") == (404, {"error": "id 'abc' is not a valid id"})


def test_unknown_route_is_a_404() -> None:
    assert invoke(handler, "DELETE /posts") == (404, {"error": "no route for 'DELETE /posts'"})


def test_an_id_beyond_the_column_range_is_a_404() -> None:
    too_big = str(2**31)
    expected = (404, {"error": f"id '{too_big}' is not a valid id"})
    assert invoke(handler, "GET /posts/{id}", id=too_big) == expected


def test_a_base64_encoded_body_is_decoded() -> None:
    event = http_event("POST /posts", base64.b64encode(b'{"title": "encoded"}').decode())
    response = handler(event | {"isBase64Encoded": True}, None)
    assert response["statusCode"] == 201
    assert json.loads(response["body"])["title"] == "encoded"


def test_a_body_that_is_not_base64_is_a_400() -> None:
    response = handler(http_event("POST /posts", "%%%") | {"isBase64Encoded": True}, None)
    assert response["statusCode"] == 400
    assert json.loads(response["body"]) == {"error": "request body is not valid base64-encoded UTF-8"}
