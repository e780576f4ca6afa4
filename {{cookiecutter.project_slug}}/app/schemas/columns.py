"""String fields checked against the column that stores them, so that what is accepted can be stored."""

from functools import partial
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import InstrumentedAttribute

from ..db.driver import column_limits


def text_of(column: InstrumentedAttribute[str], **constraints: Any) -> Any:
    """The string type of a field that ``column`` stores.

    A value must fit the column as the database measures it (characters, or bytes of UTF-8 where
    the column counts bytes: see ``driver.column_limits``) and hold no character it cannot store: no
    NUL, and no lone surrogate (half a UTF-16 pair, which JSON can escape). Each failure is a 422
    naming the field. ``constraints`` are pydantic's ``StringConstraints``: ``text_of(Post.title,
    min_length=1)``.
    """
    characters, size_in_bytes = column_limits(column.type)
    return Annotated[
        str,
        StringConstraints(max_length=characters, **constraints),
        BeforeValidator(refuse_lone_surrogates),  # runs first: pydantic's own check would say less
        AfterValidator(partial(check_storable, size_in_bytes)),
        Field(description=None if size_in_bytes is None else f"at most {size_in_bytes} bytes of UTF-8"),
    ]


def refuse_lone_surrogates(value: Any) -> Any:
    """``value``, unless it is a string with half a UTF-16 pair, which no database stores."""
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError as error:
            raise PydanticCustomError(
                "lone_surrogate",
                "has a lone surrogate ({character}) at character {position}",
                {"character": f"U+{ord(value[error.start]):04X}", "position": error.start},
            ) from None
    return value


def check_storable(size_in_bytes: int | None, value: str) -> str:
    """``value``, unless it holds a NUL character or more bytes than the column holds."""
    if "\0" in value:
        raise PydanticCustomError("nul_character", "must not contain NUL characters (U+0000)")
    size = len(value.encode())
    if size_in_bytes is not None and size > size_in_bytes:
        raise PydanticCustomError(
            "too_many_bytes",
            "must be at most {limit} bytes of UTF-8 (it has {size})",
            {"limit": size_in_bytes, "size": size},
        )
    return value
