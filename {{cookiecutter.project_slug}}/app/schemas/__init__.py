"""What the API reads and answers: pydantic models, one module per resource, and pages of lists."""

from .page import PAGE_SIZE, Cursor, Limit, Page, page_of
from .post import PostId, PostIn, PostOut

__all__ = ["PAGE_SIZE", "Cursor", "Limit", "Page", "PostId", "PostIn", "PostOut", "page_of"]
