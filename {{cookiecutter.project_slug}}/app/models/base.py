"""The declarative base every model inherits from."""

from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..db.driver import TIMESTAMP

# Stable constraint names, the same on every server, so migrations can name them. They
# name every column (uq_posts_author_id_slug), so two constraints over different columns never
# share a name; a name longer than the server allows is cut short with a hash by SQLAlchemy.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time in UTC, without time zone (as stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Base class of the models; its metadata is what migrations compare against."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamps:
    """created_at and updated_at, set by the app as Rails does (no extra round trip)."""

    created_at: Mapped[datetime] = mapped_column(TIMESTAMP, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TIMESTAMP, default=utcnow, onupdate=utcnow)
