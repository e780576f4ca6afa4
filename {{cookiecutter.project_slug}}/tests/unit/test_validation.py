"""A client's mistakes are answered 4xx, each with its message, before any route runs: no database needed."""

import base64
import json

import pytest

from app.bodies import MAX_BODY_BYTES
from app.db.driver import column_limits
from app.main import handler
from app.models import Post
from app.schemas.page import MAX_PAGE_SIZE, encode_cursor

from tests.events import call, error, http_event, invoke

TOO_LARGE = error(f"request body is larger than {MAX_BODY_BYTES} bytes")


def posted(body: str, base64_encoded: bool = False, **headers: str) -> tuple[int, dict]:
    """POST /posts with ``body`` sent as it is (or base64-encoded, as API Gateway sends binary)."""
    event = http_event("POST /posts", body) | {"isBase64Encoded": base64_encoded}
    event["headers"] |= headers
    return call(handler, event)


def listed(**query: str) -> tuple[int, dict]:
    return call(handler, http_event("GET /posts", query=query))


def test_malformed_json_is_a_400() -> None:
    reason = "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    assert posted("{not json") == (400, error(f"request body is not valid JSON: {reason}"))


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "3", "true"])
def test_body_must_be_an_object(body: str) -> None:
    assert posted(body) == (422, error("request body must be a JSON object"))


@pytest.mark.parametrize("body", ["", "  \n", "null"])
def test_an_empty_body_is_a_422(body: str) -> None:
    assert posted(body) == (422, error("request body is empty or null: send a JSON object"))


def test_a_missing_title_is_a_422_naming_it() -> None:
    assert invoke(handler, "POST /posts", {"body": "no title"}) == (422, error("title: Field required"))


@pytest.mark.parametrize("title", ["", "   "])
def test_a_blank_title_is_a_422(title: str) -> None:
    expected = error("title: String should have at least 1 character")
    assert invoke(handler, "POST /posts", {"title": title}) == (422, expected)


@pytest.mark.parametrize("fields", [{"title": "t", "body": None}, {"title": "t", "body": ["list"]}])
def test_a_body_that_is_not_a_string_is_a_422(fields: dict) -> None:
    assert invoke(handler, "POST /posts", fields) == (422, error("body: Input should be a valid string"))


def test_each_wrong_field_is_named() -> None:
    status, body = invoke(handler, "POST /posts", {"title": 7, "body": 8})
    expected = "title: Input should be a valid string; body: Input should be a valid string"
    assert (status, body["error"]) == (422, expected)


LIMITED = [column for column in (Post.title, Post.body) if column_limits(column.type) != (None, None)]


@pytest.mark.parametrize("column", LIMITED, ids=lambda column: column.key)
def test_a_value_longer_than_its_column_is_a_422_naming_the_field(column) -> None:
    """The limits are the columns': characters, or bytes of UTF-8 where the column counts bytes."""
    characters, size_in_bytes = column_limits(column.type)
    fields = {"title": "t"}
    if characters is not None:
        fields[column.key] = "😀" * (characters + 1)
        expected = f"{column.key}: String should have at most {characters} characters"
        assert invoke(handler, "POST /posts", fields) == (422, error(expected))
    if size_in_bytes is not None:
        fields[column.key] = "é" * (size_in_bytes // 2) + "ab"
        limit = f"at most {size_in_bytes} bytes of UTF-8"
        expected = f"{column.key}: must be {limit} (it has {size_in_bytes + 1})"
        assert invoke(handler, "POST /posts", fields) == (422, error(expected))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"title": "\\ud800"}', "title: has a lone surrogate (U+D800) at character 0"),
        ('{"title": "ok", "body": "ab\\udfff"}', "body: has a lone surrogate (U+DFFF) at character 2"),
        ('{"title": "a\\u0000b"}', "title: must not contain NUL characters (U+0000)"),
        ('{"title": "ok", "body": "\\u0000"}', "body: must not contain NUL characters (U+0000)"),
    ],
)
def test_text_the_database_cannot_store_is_a_422(body: str, message: str) -> None:
    assert posted(body) == (422, error(message))


def test_a_body_over_the_limit_is_a_413() -> None:
    just_over = json.dumps({"title": "big", "body": "x" * MAX_BODY_BYTES})
    assert posted(just_over) == (413, TOO_LARGE)
    assert posted(base64.b64encode(just_over.encode()).decode(), base64_encoded=True) == (413, TOO_LARGE)
    assert posted(json.dumps({"title": "é" * (MAX_BODY_BYTES // 2)}, ensure_ascii=False)) == (413, TOO_LARGE)


def test_deeply_nested_json_is_a_400() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert posted(deep) == (400, error("request body is not valid JSON: it nests too deeply"))
    nested_title = json.dumps({"title": json.loads("[" * 500 + "]" * 500)})
    assert posted(nested_title) == (422, error("title: Input should be a valid string"))


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


def test_a_body_that_is_not_base64_is_a_400() -> None:
    assert posted("e30", base64_encoded=True) == (400, error("request body is not valid base64"))


def test_a_body_that_is_not_utf8_is_a_400() -> None:
    latin1 = base64.b64encode('{"title": "café"}'.encode("latin-1")).decode()
    assert posted(latin1, base64_encoded=True) == (400, error("request body is not valid UTF-8 (byte 14)"))
    assert posted('{"title": "\ud800"}') == (400, error("request body is not valid UTF-8 (character 11)"))


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/xml"],
)
def test_a_body_that_is_not_json_is_a_415(content_type: str) -> None:
    """What a form on another site can post without asking is refused, whatever it holds."""
    expected = f"Content-Type {content_type!r} is not supported: send JSON as application/json"
    assert posted("title=from+a+form", **{"content-type": content_type}) == (415, error(expected))
    assert posted('{"title": "valid JSON"}', **{"content-type": content_type}) == (415, error(expected))
    assert posted("", **{"content-type": content_type}) == (415, error(expected))


@pytest.mark.parametrize("post_id", ["abc", "-1", "0", "1.5", "٣", str(2**31), "9" * 5000])
def test_an_id_that_is_no_positive_32_bit_integer_is_a_422(post_id: str) -> None:
    status, body = invoke(handler, "GET /posts/{post_id}", post_id=post_id)
    assert (status, body["error"].split(":")[0]) == (422, "post_id")


@pytest.mark.parametrize("limit", ["0", "-1", str(MAX_PAGE_SIZE + 1), "ten"])
def test_a_page_size_out_of_bounds_is_a_422(limit: str) -> None:
    status, body = listed(limit=limit)
    assert (status, body["error"].split(":")[0]) == (422, "limit")


@pytest.mark.parametrize("cursor", ["x", "!!!!", encode_cursor(-5), "MDE"])
def test_a_cursor_this_api_did_not_give_is_a_422(cursor: str) -> None:
    expected = error("cursor: is not a cursor this API gave: pass next_cursor as it came")
    assert listed(cursor=cursor) == (422, expected)
