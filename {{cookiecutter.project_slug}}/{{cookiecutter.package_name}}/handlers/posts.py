"""The posts API: list, create and show posts as JSON.

Routes (see template.yaml): GET /posts, POST /posts, GET /posts/{id}.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.db import with_session
from {{ cookiecutter.package_name }}.http import (
    Event,
    HttpError,
    Response,
    json_body,
    json_response,
    path_id,
    router,
)
from {{ cookiecutter.package_name }}.models import Post

PAGE_SIZE = 50
TITLE_LENGTH = 255


@with_session(readonly=True)
def list_posts(session: Session, event: Event) -> Response:
    """The newest posts first, PAGE_SIZE at most."""
    posts = session.scalars(select(Post).order_by(Post.id.desc()).limit(PAGE_SIZE))
    return json_response(200, {"posts": [post.to_dict() for post in posts]})


@with_session
def create_post(session: Session, event: Event) -> Response:
    """Create a post from {"title": ..., "body": ...}."""
    fields = json_body(event)
    title = fields.get("title")
    if not isinstance(title, str) or not title.strip():
        raise HttpError(422, "title is required and must be a non-empty string")
    if len(title) > TITLE_LENGTH:
        raise HttpError(422, f"title must be at most {TITLE_LENGTH} characters")
    body = fields.get("body", "")
    if not isinstance(body, str):
        raise HttpError(422, "body must be a string")
    post = Post(title=title.strip(), body=body)
    session.add(post)
    session.flush()
    return json_response(201, post.to_dict())


@with_session(readonly=True)
def show_post(session: Session, event: Event) -> Response:
    """One post by id."""
    post_id = path_id(event)
    post = session.get(Post, post_id)
    if post is None:
        raise HttpError(404, f"post {post_id} not found")
    return json_response(200, post.to_dict())


handler = router({"GET /posts": list_posts, "POST /posts": create_post, "GET /posts/{id}": show_post})
