"""The posts API with a view counter: both stores in one request.

The API function's handler (template.yaml). It serves the routes of ``posts``, but for
GET /posts/{id}, which reads the post from the SQL database (404 when there is none, counting
nothing), then counts the view in DynamoDB and returns the post with its ``views``. The other
routes never touch DynamoDB, so they import neither boto3 nor botocore.
"""

from ..dynamodb import post_views
from ..http import Request, Response, json_response, router
from .posts import ROUTES, find_post


def show_post(request: Request) -> Response:
    """One post by id, with its views, this one included."""
    post = find_post(request.path_id())
    views = post_views.add_view(post.id)
    return json_response(200, post.to_dict() | {"views": views})


handler = router(ROUTES | {"GET /posts/{id}": show_post})
