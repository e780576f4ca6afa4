"""Request bodies: at most MAX_BODY_BYTES of UTF-8 (or base64 of it) holding one JSON object."""

import base64
import json
import sys
from typing import Any

from .responses import HttpError

MAX_BODY_BYTES = 1024 * 1024  # 1 MiB; API Gateway allows 10 MB and Lambda 6 MB, a JSON API needs far less
TOO_LARGE = f"request body is larger than {MAX_BODY_BYTES} bytes"


def json_object(body: str, base64_encoded: bool) -> dict[str, Any]:
    """The JSON object ``body`` holds, or a 400 (413 when too large) saying what is wrong with it."""
    text = utf8_text(body_bytes(body, base64_encoded))
    if not text.strip():
        raise HttpError(400, "request body is empty: send a JSON object")
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_int=_integer)
    except RecursionError:
        raise HttpError(400, "request body is not valid JSON: it nests too deeply") from None
    except ValueError as error:
        raise HttpError(400, f"request body is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise HttpError(400, "request body must be a JSON object")
    return value


def body_bytes(body: str, base64_encoded: bool) -> bytes:
    """The bytes of the body, or a 413 when there are more than MAX_BODY_BYTES."""
    longest = (MAX_BODY_BYTES + 2) // 3 * 4 if base64_encoded else MAX_BODY_BYTES
    if len(body) > longest:  # too large whatever it decodes to: spare decoding it
        raise HttpError(413, TOO_LARGE)
    if base64_encoded:
        try:
            data = base64.b64decode(body, validate=True)
        except ValueError:  # not the base64 alphabet, bad padding, or not ASCII
            raise HttpError(400, "request body is not valid base64") from None
    else:
        try:
            data = body.encode()
        except UnicodeEncodeError as error:  # a lone surrogate: the text came from no UTF-8
            raise HttpError(400, f"request body is not valid UTF-8 (character {error.start})") from None
    if len(data) > MAX_BODY_BYTES:
        raise HttpError(413, TOO_LARGE)
    return data


def utf8_text(data: bytes) -> str:
    """``data`` decoded as UTF-8, or a 400 naming the first bad byte."""
    try:
        return data.decode()
    except UnicodeDecodeError as error:
        raise HttpError(400, f"request body is not valid UTF-8 (byte {error.start})") from None


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _integer(digits: str) -> int:
    try:
        return int(digits)
    except ValueError:  # beyond the digits Python converts (a denial-of-service guard)
        raise ValueError(f"a number has more than {sys.get_int_max_str_digits()} digits") from None
