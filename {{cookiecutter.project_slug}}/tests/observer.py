"""A client of its own beside the app, which sees only what the app has committed."""

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.models import Post


def stored_titles(observer: Engine) -> list[str]:
    """The titles of the committed posts, oldest first."""
    with observer.connect() as connection:
        return list(connection.scalars(select(Post.title).order_by(Post.id)))


def commit_post(observer: Engine, title: str) -> None:
    """Add a post and commit it, as another client would."""
    with observer.begin() as connection:
        connection.execute(Post.__table__.insert().values(title=title, body=""))


def count_posts(session: Session) -> int:
    """How many posts ``session`` sees."""
    return session.scalar(select(func.count()).select_from(Post))
