"""A blog post: the example model."""

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamps


class Post(Timestamps, Base):
    """A post with a title and a body, and who created it (see app/caller.py)."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text, default="")
    # An IAM principal's ARN (up to 2048 characters) or a JWT's subject; None on a public API.
    author: Mapped[str | None] = mapped_column(String(2048))
