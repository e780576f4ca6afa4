"""Pages of a list: newest first by primary key, an opaque cursor, and a budget in bytes.

``GET /posts?limit=20`` answers ``{"items": [...], "next_cursor": "..."}``; the next page is
``GET /posts?limit=20&cursor=<next_cursor>``, and the last page has no ``next_cursor``. A page
is read by key (``WHERE id < :cursor ORDER BY id DESC``), so it costs the same however deep it
is, and rows added meanwhile never shift it. A page also ends before its JSON would outgrow
PAGE_BUDGET, whatever the rows hold, so that no list can exceed what Lambda returns.
"""

import base64
import binascii
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from ..bodies import MAX_RESPONSE_BYTES, json_size
from ..errors import ResponseTooLargeError

PAGE_SIZE = 50  # rows a page holds unless ``limit`` asks for fewer
MAX_PAGE_SIZE = 100
PAGE_BUDGET = MAX_RESPONSE_BYTES - 64 * 1024  # the rest is for the status, headers and next_cursor
BAD_CURSOR = "is not a cursor this API gave: pass next_cursor as it came"


def encode_cursor(key: int) -> str:
    """The cursor of the page after the row ``key``."""
    return base64.urlsafe_b64encode(str(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: Any) -> int | None:
    """The key ``cursor`` stands for, or a 422 naming it."""
    if cursor is None:
        return None
    try:
        key = base64.urlsafe_b64decode(str(cursor) + "=" * (-len(str(cursor)) % 4)).decode()
    except (binascii.Error, UnicodeError):
        key = ""
    if not (key.isascii() and key.isdigit() and key == str(int(key))):
        raise PydanticCustomError("cursor", BAD_CURSOR)
    return int(key)


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="rows per page, at most 100")]
Cursor = Annotated[
    int | None,
    BeforeValidator(decode_cursor),
    WithJsonSchema({"type": "string"}),
    Query(description="next_cursor of the previous page"),
]


class Page[Item: BaseModel](BaseModel):
    """One page of a list, and the cursor of the next one when there is more."""

    items: list[Item]
    next_cursor: str | None = None


def page_of[Item: BaseModel](
    session: Session,
    query: Select[Any],
    key: InstrumentedAttribute[int],
    schema: type[Item],
    limit: int,
    cursor: int | None,
) -> Page[Item]:
    """The page of ``query`` after ``cursor``: ``limit`` rows at most, as ``schema``, newest ``key`` first."""
    if cursor is not None:
        query = query.where(key < cursor)
    rows = session.scalars(query.order_by(key.desc()).limit(limit + 1))
    items: list[Item] = []
    size = 0
    for row in rows:
        item = schema.model_validate(row)
        size += json_size(item.model_dump_json())  # as the response writes it (no ASCII escapes)
        if len(items) == limit or size > PAGE_BUDGET:
            if not items:
                too_large = f"{key} {getattr(row, key.key)} alone takes {size} bytes of JSON"
                raise ResponseTooLargeError(f"{too_large}, over a page's {PAGE_BUDGET}")
            return Page[schema](items=items, next_cursor=encode_cursor(getattr(items[-1], key.key)))
        items.append(item)
    return Page[schema](items=items)
