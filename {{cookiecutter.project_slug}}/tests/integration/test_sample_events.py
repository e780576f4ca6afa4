"""The sample events of events/, as ``sam local invoke -e`` and ``invoke api.invoke`` send them."""

import json

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from app.caller import caller

from tasks.api import FUNCTION, handler_of
from tests.events import call, sample_event

handler = handler_of(FUNCTION)  # the handler template.yaml names


def test_the_sample_events_as_they_are_reach_their_routes() -> None:
    show = sample_event("GET /posts/{post_id}")
    not_found = {"error": "post 1 not found", "request_id": show["requestContext"]["requestId"]}
    assert call(handler, show) == (404, not_found)  # no post yet: the tables start empty
    assert call(handler, sample_event("GET /posts")) == (200, {"items": [], "next_cursor": None})

    create = sample_event("POST /posts")
    status, created = call(handler, create)
    assert (status, {"title": created["title"], "body": created["body"]}) == (201, json.loads(create["body"]))
    assert created["author"] == caller(APIGatewayProxyEventV2(create))  # as this project's api_auth sends it
    assert call(handler, sample_event("GET /posts"))[1]["items"] == [created]
