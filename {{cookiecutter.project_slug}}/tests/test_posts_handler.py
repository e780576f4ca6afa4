import base64
import json

import pytest

from app.handlers.posts import handler
from app.http.bodies import MAX_BODY_BYTES

from tests.events import call, error, http_event, invoke

TOO_LARGE = error(f"request body is larger than {MAX_BODY_BYTES} bytes")


def posted(body: str, base64_encoded: bool = False) -> tuple[int, dict]:
    """POST /posts with ``body`` sent as it is (or base64-encoded, as API Gateway sends binary)."""
    return call(handler, http_event("POST /posts", body) | {"isBase64Encoded": base64_encoded})


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
    reason = "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    assert posted("{not json") == (400, error(f"request body is not valid JSON: {reason}"))


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "3", "null", "true"])
def test_body_must_be_an_object(body: str) -> None:
    assert posted(body) == (400, error("request body must be a JSON object"))


@pytest.mark.parametrize("body", ["", "  \n"])
def test_an_empty_body_is_a_400(body: str) -> None:
    assert posted(body) == (400, error("request body is empty: send a JSON object"))


def test_missing_title_is_a_422_and_stores_nothing() -> None:
    status, body = invoke(handler, "POST /posts", {"body": "no title"})
    assert (status, body) == (422, error("title is required and must be a non-empty string"))
    assert invoke(handler, "GET /posts") == (200, {"posts": []})


@pytest.mark.parametrize("fields", [{"title": "t", "body": None}, {"title": "t", "body": ["list"]}])
def test_a_body_that_is_not_a_string_is_a_422(fields: dict) -> None:
    assert invoke(handler, "POST /posts", fields) == (422, error("body must be a string"))


def test_too_long_title_is_a_422() -> None:
    status, body = invoke(handler, "POST /posts", {"title": "x" * 256})
    assert (status, body) == (422, error("title must be at most 255 characters (it has 256)"))


def test_a_title_is_counted_in_characters_not_bytes() -> None:
    status, created = invoke(handler, "POST /posts", {"title": "😀" * 255})  # 1020 bytes of UTF-8
    assert status == 201
    assert invoke(handler, "GET /posts/{id}", id=str(created["id"]))[1]["title"] == "😀" * 255


def test_the_body_field_fits_the_column() -> None:
    fits = "é" * 32767 + "a"  # 65535 bytes of UTF-8
    status, created = invoke(handler, "POST /posts", {"title": "fits", "body": fits})
    assert status == 201
    assert invoke(handler, "GET /posts/{id}", id=str(created["id"]))[1]["body"] == fits


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"title": "\\ud800"}', "title has a lone surrogate (U+D800) at character 0"),
        ('{"title": "ok", "body": "ab\\udfff"}', "body has a lone surrogate (U+DFFF) at character 2"),
        ('{"title": "a\\u0000b"}', "title must not contain NUL characters (U+0000)"),
        ('{"title": "ok", "body": "\\u0000"}', "body must not contain NUL characters (U+0000)"),
    ],
)
def test_text_the_database_cannot_store_is_a_422(body: str, message: str) -> None:
    assert posted(body) == (422, error(message))
    assert invoke(handler, "GET /posts") == (200, {"posts": []})


def test_an_escaped_surrogate_pair_is_text() -> None:
    status, created = posted('{"title": "\\ud83d\\ude00"}')
    assert (status, created["title"]) == (201, "😀")


def test_a_body_over_the_limit_is_a_413() -> None:
    just_over = json.dumps({"title": "big", "body": "x" * MAX_BODY_BYTES})
    assert posted(just_over) == (413, TOO_LARGE)
    assert posted(base64.b64encode(just_over.encode()).decode(), base64_encoded=True) == (413, TOO_LARGE)
    assert posted("é" * (MAX_BODY_BYTES // 2 + 1)) == (413, TOO_LARGE)  # counted in bytes


def test_deeply_nested_json_is_a_400() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert posted(deep) == (400, error("request body is not valid JSON: it nests too deeply"))
    nested_title = json.dumps({"title": json.loads("[" * 500 + "]" * 500)})
    assert posted(nested_title) == (422, error("title is required and must be a non-empty string"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"title": NaN}', "NaN is not a JSON number"),
        ('{"title": -Infinity}', "-Infinity is not a JSON number"),
        ('{"title": ' + "9" * 5000 + "}", "a number has more than 4300 digits"),
    ],
)
def test_what_json_does_not_allow_is_a_400(body: str, message: str) -> None:
    assert posted(body) == (400, error(f"request body is not valid JSON: {message}"))


def test_a_base64_encoded_body_is_decoded() -> None:
    status, created = posted(base64.b64encode(b'{"title": "encoded"}').decode(), base64_encoded=True)
    assert (status, created["title"]) == (201, "encoded")


def test_a_body_that_is_not_base64_is_a_400() -> None:
    assert posted("%%%", base64_encoded=True) == (400, error("request body is not valid base64"))
    assert posted("é", base64_encoded=True) == (400, error("request body is not valid base64"))


def test_a_body_that_is_not_utf8_is_a_400() -> None:
    latin1 = base64.b64encode('{"title": "café"}'.encode("latin-1")).decode()
    assert posted(latin1, base64_encoded=True) == (400, error("request body is not valid UTF-8 (byte 14)"))
    assert posted('{"title": "\ud800"}') == (400, error("request body is not valid UTF-8 (character 11)"))


def test_unknown_id_is_a_404() -> None:
    assert invoke(handler, "GET /posts/{id}", id="999999") == (404, error("post 999999 not found"))


@pytest.mark.parametrize("post_id", ["abc", "-1", "1.5", "٣", str(2**31), "9" * 5000])
def test_an_id_that_is_no_32_bit_integer_is_a_404(post_id: str) -> None:
    assert invoke(handler, "GET /posts/{id}", id=post_id) == (404, error(f"id {post_id!r} is not a valid id"))
