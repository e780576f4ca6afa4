"""An Idempotency-Key a client sent with a write, and the response the write got (see app/idempotency.py)."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db.driver import LARGE_TEXT, TIMESTAMP
from .base import Base, utcnow


class IdempotencyKey(Base):
    """One key of one caller: the request it came with, and the response, kept until ``expires_at``."""

    __tablename__ = "idempotency_keys"

    key_digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the caller and the key
    request_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the method, path, query and body
    # The response, stored in the write's own transaction: None only while that transaction runs.
    status_code: Mapped[int | None]
    response_headers: Mapped[str | None] = mapped_column(Text)  # a JSON object
    response_body: Mapped[str | None] = mapped_column(LARGE_TEXT)  # as sent: up to Lambda's 6 MB
    created_at: Mapped[datetime] = mapped_column(TIMESTAMP, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TIMESTAMP, index=True)
