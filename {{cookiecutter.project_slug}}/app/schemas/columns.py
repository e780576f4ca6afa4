"""Fields checked against the column that stores them, so that what is accepted can be stored.

Text fits its column (``text_of``), a number its column's range or digits (``number_of``), and
a moment is stored in UTC without time zone, as the timestamps are (``Moment`` in, ``Timestamp`` out).
"""

from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError
from sqlalchemy import BigInteger, Float, Integer, Numeric
from sqlalchemy.orm import InstrumentedAttribute

from ..db.driver import column_limits

MAX_ID = 2**31 - 1  # ids are 32-bit integers in both databases
INTEGER_BITS = {BigInteger: 64, Integer: 32}  # the subclass first: BigInteger is an Integer

Timestamp = Annotated[datetime, AfterValidator(lambda stored: stored.replace(tzinfo=UTC))]  # stored in UTC
Moment = Annotated[AwareDatetime, AfterValidator(lambda moment: moment.astimezone(UTC).replace(tzinfo=None))]


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


def number_of(column: InstrumentedAttribute[Any]) -> Any:
    """The number type of a field that ``column`` stores: an integer in its range, a decimal in its digits.

    An integer column holds 32 bits (``Integer``) or 64 (``BigInteger``); ``Numeric(10, 2)`` holds
    10 digits, 2 of them after the point. A value outside is a 422 naming the field.
    """
    column_type = column.type
    if isinstance(column_type, Numeric) and not isinstance(column_type, Float):
        return Annotated[
            Decimal,
            Field(max_digits=column_type.precision, decimal_places=column_type.scale, allow_inf_nan=False),
        ]
    for kind, bits in INTEGER_BITS.items():
        if isinstance(column_type, kind):
            return Annotated[int, Field(ge=-(2 ** (bits - 1)), le=2 ** (bits - 1) - 1)]
    raise TypeError(f"number_of takes an Integer, BigInteger or Numeric column, not {column_type!r}")
