r"""JSON bodies: what a request may hold, and how responses are written.

A request body is at most MAX_BODY_BYTES of UTF-8 (counted once base64 is decoded) holding
strict JSON: no ``NaN`` or ``Infinity``, no number of more digits than Python converts, no
nesting deeper than Python parses. Powertools' resolver hands the body to ``read_json``; what is
wrong with it is a 400 (413 when too large) that says what.

Responses are JSON with the characters as they are (``ensure_ascii=False``): an ``é`` takes 2
bytes rather than the 6 of ``\u00e9``. Lambda answers a synchronous invocation with at most
MAX_RESPONSE_BYTES, the whole response with its headers, as JSON: ``json_size`` measures a body
as it will weigh there.
"""

import base64
import binascii
import json
import sys
from functools import partial
from typing import Any

from aws_lambda_powertools.event_handler.exceptions import BadRequestError, RequestEntityTooLargeError
from aws_lambda_powertools.shared.json_encoder import Encoder

MAX_BODY_BYTES = 1024 * 1024  # 1 MiB; API Gateway allows 10 MB and Lambda 6 MB, a JSON API needs far less
MAX_RESPONSE_BYTES = 6 * 1024 * 1024  # Lambda's limit on a synchronous invocation's response
TOO_LARGE = f"request body is larger than {MAX_BODY_BYTES} bytes"
JSON_MEDIA_TYPE = "application/json"

to_json = partial(json.dumps, ensure_ascii=False, separators=(",", ":"), cls=Encoder)


def read_json(text: str) -> Any:
    """The JSON value ``text`` holds (None when it is blank), or a 400 or 413 saying what is wrong."""
    try:
        size = len(text.encode())
    except UnicodeEncodeError as error:  # a lone surrogate: the text came from no UTF-8
        raise BadRequestError(f"request body is not valid UTF-8 (character {error.start})") from None
    if size > MAX_BODY_BYTES:
        raise RequestEntityTooLargeError(TOO_LARGE)
    if not text.strip():
        return None  # as an empty body: the route's body is missing
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_int=_integer)
    except RecursionError:
        raise BadRequestError("request body is not valid JSON: it nests too deeply") from None
    except ValueError as error:
        raise BadRequestError(f"request body is not valid JSON: {error}") from None


def undecodable(event: dict[str, Any]) -> str | None:
    """What stops the event's base64 body from decoding to UTF-8 text, if anything.

    Powertools decodes a base64 body before ``read_json`` sees it, and raises the decoder's own
    error when that fails; the app asks this to tell the client's mistake from a bug.
    """
    if not event.get("isBase64Encoded"):
        return None
    try:
        data = base64.b64decode(event.get("body") or "")
    except (binascii.Error, ValueError):
        return "request body is not valid base64"
    try:
        data.decode()
    except UnicodeDecodeError as error:
        return f"request body is not valid UTF-8 (byte {error.start})"
    return None


def unsupported_media_type(content_type: str | None) -> str | None:
    """Why a request of ``content_type`` is refused (415): None for JSON, or no Content-Type.

    Powertools would also parse HTML forms, which a page on any site can post here without
    asking (and fail on a multipart one without its boundary): a JSON API takes JSON only.
    """
    if content_type is None or _media_type(content_type) == JSON_MEDIA_TYPE:
        return None
    return f"Content-Type {content_type!r} is not supported: send JSON as {JSON_MEDIA_TYPE}"


def json_size(text: str) -> int:
    r"""The bytes the JSON ``text`` takes in a response body, once Lambda writes the response as JSON.

    The body is a JSON string inside Lambda's JSON: its quotes and backslashes are escaped again,
    and other characters may be too (``\u00e9``); this counts the most they can take.
    """
    return len(json.dumps(text))


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip()


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _integer(digits: str) -> int:
    try:
        return int(digits)
    except ValueError:  # beyond the digits Python converts (a denial-of-service guard)
        raise ValueError(f"a number has more than {sys.get_int_max_str_digits()} digits") from None
