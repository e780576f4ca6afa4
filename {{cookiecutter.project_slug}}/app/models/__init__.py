"""The app's models. Import every model here so that Base.metadata knows its table."""

from .base import Base
from .idempotency_key import IdempotencyKey
from .post import Post

__all__ = ["Base", "IdempotencyKey", "Post"]
