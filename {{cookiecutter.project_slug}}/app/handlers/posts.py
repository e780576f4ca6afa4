"""The posts API: list, create and show posts as JSON.

Routes (see template.yaml): GET /posts, POST /posts, GET /posts/{id}. Each reads and checks its
input first, then opens its unit of work: a client's mistake is answered without a connection.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import session_scope, with_session
from ..http import (
    HttpError,
    Request,
    Response,
    json_response,
    router,
    text_field,
)
from ..models import Post

PAGE_SIZE = 50


@with_session(readonly=True)
def list_posts(session: Session, request: Request) -> Response:
    """The newest posts first, PAGE_SIZE at most."""
    posts = session.scalars(select(Post).order_by(Post.id.desc()).limit(PAGE_SIZE))
    return json_response(200, {"posts": [post.to_dict() for post in posts]})


def create_post(request: Request) -> Response:
    """Create a post from {"title": ..., "body": ...}."""
    fields = request.json()
    post = Post(title=text_field(fields, Post.title, required=True), body=text_field(fields, Post.body))
    with session_scope() as session:
        session.add(post)
    return json_response(201, post.to_dict())


def show_post(request: Request) -> Response:
    """One post by id."""
    return json_response(200, find_post(request.path_id()).to_dict())


def find_post(post_id: int) -> Post:
    """The post ``post_id``, read in a read-only unit of work; a 404 when there is none."""
    with session_scope(readonly=True) as session:
        post = session.get(Post, post_id)
    if post is None:
        raise HttpError(404, f"post {post_id} not found")
    return post


ROUTES = {"GET /posts": list_posts, "POST /posts": create_post, "GET /posts/{id}": show_post}
handler = router(ROUTES)
