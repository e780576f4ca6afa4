"""Example data for development: ``invoke db.seed`` (or ``db.setup``) runs ``seed``.

Like Rails' db/seeds.rb, it may run more than once, so it adds only what is missing.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Post

POSTS = [
    {"title": "Hello, Lambda", "body": "The first post, served by a function in the VPC."},
    {"title": "One connection per environment", "body": "Reused by every invocation."},
]


def seed(session: Session) -> int:
    """Add the example posts that are missing; return how many were added."""
    existing = set(session.scalars(select(Post.title).where(Post.title.in_([p["title"] for p in POSTS]))))
    missing = [Post(**fields) for fields in POSTS if fields["title"] not in existing]
    session.add_all(missing)
    return len(missing)
