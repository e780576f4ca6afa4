"""The app's models. Import every model here so that Base.metadata knows its table."""

from .base import Base
from .post import Post

__all__ = ["Base", "Post"]
