"""The posts API: list posts a page at a time, create one, show one.

Powertools checks each request against the types below before a route runs (a 422 naming the
field), so a client's mistake is answered without touching the database.
"""

from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from sqlalchemy import select

from ..caller import caller
from ..db import session_scope
from ..models import Post
from ..schemas import PAGE_SIZE, Cursor, Limit, Page, PostId, PostIn, PostOut, page_of

router = APIGatewayHttpRouter()


@router.get("/posts")
def list_posts(limit: Limit = PAGE_SIZE, cursor: Cursor = None) -> Page[PostOut]:
    """The newest posts first, a page at a time."""
    with session_scope(readonly=True) as session:
        return page_of(session, select(Post), Post.id, PostOut, limit, cursor)


@router.post("/posts", status_code=201)
def create_post(post: PostIn) -> PostOut:
    """Create a post from ``{"title": ..., "body": ...}``, recording who created it."""
    created = Post(**post.model_dump(), author=caller(router.current_event))
    with session_scope() as session:
        session.add(created)
    return PostOut.model_validate(created)


@router.get("/posts/<post_id>")
def show_post(post_id: PostId) -> PostOut:
    """One post by id."""
    with session_scope(readonly=True) as session:
        post = session.get(Post, post_id)
    if post is None:
        raise NotFoundError(f"post {post_id} not found")
    return PostOut.model_validate(post)
