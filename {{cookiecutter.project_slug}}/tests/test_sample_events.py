"""The sample events of events/, as ``sam local invoke -e`` and ``invoke api.invoke`` send them."""

import json

import yaml

from tasks.api import FUNCTION, TEMPLATE, CloudFormationLoader, handler_of
from tests.events import EVENTS, call, event_file, sample_event

handler = handler_of(FUNCTION)


def template_routes() -> list[str]:
    """The route keys of the HttpApi events template.yaml gives the API function."""
    template = yaml.load(TEMPLATE.read_text(), CloudFormationLoader)
    events = template["Resources"][FUNCTION]["Properties"]["Events"].values()
    return [f"{event['Properties']['Method']} {event['Properties']['Path']}" for event in events]


def test_every_route_has_one_sample_event_that_names_it() -> None:
    routes = template_routes()
    assert sorted(EVENTS.iterdir()) == sorted(event_file(route) for route in routes)
    for route in routes:
        event, (method, template) = sample_event(route), route.split(" ", 1)
        assert event["routeKey"] == event["requestContext"]["routeKey"] == route
        assert event["requestContext"]["http"]["method"] == method
        path = template.format(**event.get("pathParameters", {}))
        assert event["rawPath"] == event["requestContext"]["http"]["path"] == path


def test_the_sample_events_as_they_are_reach_their_routes() -> None:
    show = sample_event("GET /posts/{id}")
    not_found = {"error": "post 1 not found", "request_id": show["requestContext"]["requestId"]}
    assert call(handler, show) == (404, not_found)  # no post yet: the tables start empty
    assert call(handler, sample_event("GET /posts")) == (200, {"posts": []})

    create = sample_event("POST /posts")
    status, created = call(handler, create)
    assert (status, {"title": created["title"], "body": created["body"]}) == (201, json.loads(create["body"]))
    assert call(handler, sample_event("GET /posts")) == (200, {"posts": [created]})
