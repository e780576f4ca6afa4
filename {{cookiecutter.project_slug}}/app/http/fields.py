"""String fields of a JSON body, checked against the column that stores them (a 422 naming the field)."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import InstrumentedAttribute

from ..db.driver import column_limits
from .responses import HttpError


def text_field(
    fields: Mapping[str, Any], column: InstrumentedAttribute[str], *, required: bool = False
) -> str:
    """The string ``fields`` has for ``column`` ("" when absent), or a 422 naming the field.

    A required field must be there and not blank, and is stripped. Any must be text the database
    can store: no lone surrogate (half a UTF-16 pair, which JSON can escape), no NUL character, and
    no longer than the column (as the database measures it: see ``driver.column_limits``).
    """
    name = column.key
    if name not in fields and not required:
        return ""
    value = fields.get(name)
    if required and not (isinstance(value, str) and value.strip()):
        raise HttpError(422, f"{name} is required and must be a non-empty string")
    if not isinstance(value, str):
        raise HttpError(422, f"{name} must be a string")
    value = value.strip() if required else value
    check_storable(name, value, column)
    return value


def check_storable(name: str, value: str, column: InstrumentedAttribute[str]) -> None:
    """A 422 naming the field unless ``column`` can store ``value`` as it is."""
    try:
        size = len(value.encode())
    except UnicodeEncodeError as error:
        raise HttpError(
            422, f"{name} has a lone surrogate (U+{ord(value[error.start]):04X}) at character {error.start}"
        ) from None
    if "\0" in value:
        raise HttpError(422, f"{name} must not contain NUL characters (U+0000)")
    characters, size_in_bytes = column_limits(column.type)
    if characters is not None and len(value) > characters:
        raise HttpError(422, f"{name} must be at most {characters} characters (it has {len(value)})")
    if size_in_bytes is not None and size > size_in_bytes:
        raise HttpError(422, f"{name} must be at most {size_in_bytes} bytes of UTF-8 (it has {size})")
