"""The posts API on the real database: what is accepted is stored as it was sent, and lists come in pages."""

import base64
import json

from sqlalchemy.engine import Engine

from app import db
from app.bodies import MAX_BODY_BYTES, MAX_RESPONSE_BYTES
from app.db.driver import column_limits
from app.main import handler
from app.models import Post
from app.schemas.page import PAGE_SIZE

from tasks.api import LocalContext
from tests.events import call, default_event, error, http_event, invoke
from tests.observer import stored_titles


def create(title: str, body: str = "") -> dict:
    status, created = invoke(handler, "POST /posts", {"title": title, "body": body})
    assert status == 201, created
    return created


def shown(post: dict) -> dict:
    """GET /posts/{post_id} of ``post``: what the show route adds (a view count...) left out."""
    status, found = invoke(handler, "GET /posts/{post_id}", post_id=str(post["id"]))
    assert status == 200, found
    return {name: found[name] for name in post}


def listed(**query: str) -> dict:
    status, page = call(handler, http_event("GET /posts", query=query))
    assert status == 200, page
    return page


def test_create_then_show_and_list() -> None:
    created = create("Hello", "First post")
    assert (created["title"], created["body"]) == ("Hello", "First post")
    assert created["created_at"].endswith("Z")

    assert shown(created) == created
    second = create("Second")
    assert listed() == {"items": [second, created], "next_cursor": None}


def test_a_rejected_post_stores_nothing(observer: Engine) -> None:
    assert invoke(handler, "POST /posts", {"title": "x" * 256})[0] == 422
    assert invoke(handler, "POST /posts", {"title": "ok", "body": "\0"})[0] == 422
    assert stored_titles(observer) == []


def test_unknown_id_is_a_404() -> None:
    assert invoke(handler, "GET /posts/{post_id}", post_id="999999") == (404, error("post 999999 not found"))


def test_default_route_events_are_routed_by_method_and_path() -> None:
    status, created = call(handler, default_event("POST", "/posts", {"title": "by path"}))
    assert (status, created["title"]) == (201, "by path")
    status, found = call(handler, default_event("GET", f"/posts/{created['id']}"))
    assert (status, found["title"]) == (200, "by path")
    assert call(handler, default_event("GET", "/posts"))[1]["items"] == [created]


def test_an_event_as_sam_generates_it_is_routed() -> None:
    """The shape of ``sam local generate-event apigateway http-api-proxy --method POST --path posts``."""
    event = default_event("POST", "/posts") | {
        "rawQueryString": "parameter1=value1",
        "headers": {"Header1": "value1"},  # no Content-Type: taken as JSON
        "pathParameters": {"parameter1": "value1"},
        "body": base64.b64encode(b'{"title": "from sam"}').decode(),
        "isBase64Encoded": True,
    }
    status, created = call(handler, event)
    assert (status, created["title"]) == (201, "from sam")


def test_a_title_is_stripped_and_counted_in_characters_not_bytes() -> None:
    created = create("  " + "😀" * 255 + "\n")  # 1020 bytes of UTF-8
    assert shown(created)["title"] == "😀" * 255
    response = handler(http_event("GET /posts/{post_id}", post_id=str(created["id"])), LocalContext())
    assert "😀" * 255 in response["body"]  # written as it is, not escaped (ensure_ascii=False)


def test_the_longest_body_the_column_holds_is_stored_as_it_was_sent() -> None:
    size_in_bytes = column_limits(Post.body.type)[1] or 2 * 65_535  # a column with no limit: a large body
    longest = "é" * (size_in_bytes // 2) + "a" * (size_in_bytes % 2)
    created = create("fits", longest)
    assert shown(created)["body"] == longest


def test_an_escaped_surrogate_pair_is_text() -> None:
    status, created = call(handler, http_event("POST /posts", '{"title": "\\ud83d\\ude00"}'))
    assert (status, created["title"]) == (201, "😀")


def test_pages_go_newest_first_and_the_last_has_no_cursor() -> None:
    ids = [create(f"post {number}")["id"] for number in range(5)]
    pages, cursor = [], {}
    while True:
        page = listed(limit="2", **cursor)
        pages.append([post["id"] for post in page["items"]])
        if page["next_cursor"] is None:
            break
        cursor = {"cursor": page["next_cursor"]}
    assert pages == [ids[:2:-1], ids[2:0:-1], ids[:1]]


def test_posts_added_meanwhile_do_not_shift_the_next_page() -> None:
    first, second = create("first")["id"], create("second")["id"]
    page = listed(limit="1")
    create("third")
    assert [post["id"] for post in page["items"]] == [second]
    assert [post["id"] for post in listed(limit="1", cursor=page["next_cursor"])["items"]] == [first]


def largest_post() -> Post:
    """A post whose text columns hold as many characters as the API stores, each escaped in JSON.

    Control characters take 6 bytes in JSON (``\\u0001``), 7 once Lambda writes the body in its own
    JSON; quotes take 2, then 4.
    """
    title_characters = column_limits(Post.title.type)[0]
    body_bytes = column_limits(Post.body.type)[1]
    # Where the column has no limit, the request's: a body sent escaped.
    body_characters = body_bytes or (MAX_BODY_BYTES - 100) // len(json.dumps("\x01").strip('"'))
    return Post(title='"' * title_characters, body="\x01" * body_characters)


def test_no_page_outgrows_what_lambda_returns_whatever_the_rows_hold() -> None:
    with db.session_scope() as session:
        session.add_all(largest_post() for _ in range(PAGE_SIZE))
    seen, cursor = 0, {}
    while True:
        event = http_event("GET /posts", query={"limit": str(PAGE_SIZE), **cursor})
        response = handler(event, LocalContext())
        for ensure_ascii in (True, False):
            assert len(json.dumps(response, ensure_ascii=ensure_ascii).encode()) < MAX_RESPONSE_BYTES
        page = json.loads(response["body"])
        seen += len(page["items"])
        if page["next_cursor"] is None:
            break
        cursor = {"cursor": page["next_cursor"]}
    assert seen == PAGE_SIZE
