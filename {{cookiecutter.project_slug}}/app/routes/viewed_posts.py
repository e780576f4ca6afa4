"""GET /posts/{post_id} with a view counter: both stores in one request.

This replaces the show route of ``posts``' router (registering a route again on a router
replaces it): the post is read from the SQL database as there (a 404 when there is none,
counting nothing), then its view is counted in DynamoDB and the post is answered with its
``views``. The other routes never touch DynamoDB, so they import neither boto3 nor botocore.
"""

from ..dynamodb import post_views
from ..schemas import PostId, PostOut
from .posts import router, show_post

__all__ = ["router"]


class ViewedPostOut(PostOut):
    """A stored post and how many times it was shown, this time included."""

    views: int


@router.get("/posts/<post_id>")
def show_viewed_post(post_id: PostId) -> ViewedPostOut:
    """One post by id, with its views."""
    post = show_post(post_id)
    return ViewedPostOut(**post.model_dump(), views=post_views.add_view(post.id))
