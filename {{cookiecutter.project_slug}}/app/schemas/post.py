"""What the posts API reads and answers."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict

from ..models import Post
from .columns import MAX_ID, Timestamp, text_of

PostId = Annotated[int, Path(ge=1, le=MAX_ID)]


class PostIn(BaseModel):
    """A new post: ``{"title": "...", "body": "..."}``."""

    title: text_of(Post.title, strip_whitespace=True, min_length=1)
    body: text_of(Post.body) = ""


class PostOut(BaseModel):
    """A stored post."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    body: str
    author: str | None  # who created it, as the API's authorizer vouched (app/caller.py)
    created_at: Timestamp
    updated_at: Timestamp
