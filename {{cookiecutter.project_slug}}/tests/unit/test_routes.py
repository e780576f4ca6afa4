"""One route registry, the resolver's: template.yaml and events/ follow it, and a test says how, in one line.

API Gateway routes only the routes template.yaml declares (it answers other paths itself, 404,
without invoking the function), and each route has a sample event in events/.
"""

import re

import yaml

from app.main import route_table

from tasks.api import EVENTS, FUNCTION, TEMPLATE, CloudFormationLoader, event_file
from tests.events import sample_event


def app_routes() -> list[str]:
    """The route keys the app serves ("GET /posts/{post_id}"), from its resolver."""
    return [f"{method} {path}" for path, methods in route_table().items() for method in methods]


def template_routes() -> dict[str, str]:
    """The route key of each HttpApi event template.yaml gives the API function, and the event's name."""
    function = yaml.load(TEMPLATE.read_text(), CloudFormationLoader)["Resources"][FUNCTION]
    events = function["Properties"]["Events"]
    return {
        f"{event['Properties']['Method']} {event['Properties']['Path']}": name
        for name, event in events.items()
        if event["Type"] == "HttpApi"
    }


def template_line(route_key: str) -> str:
    """The template.yaml event that routes ``route_key`` to the function."""
    method, path = route_key.split(" ", 1)
    name = "".join(word.capitalize() for word in re.findall(r"[a-z0-9]+", route_key.lower()))
    event = {"Type": "HttpApi", "Properties": {"Path": path, "Method": method}}
    return f"{name}: {yaml.safe_dump(event, default_flow_style=True, sort_keys=False, width=1000).strip()}"


def test_template_yaml_and_the_sample_events_follow_the_routes_of_the_app() -> None:
    served, routed = app_routes(), template_routes()
    samples = {event_file(route): route for route in served}
    events = f"{FUNCTION}'s Events in template.yaml"
    fixes = [f"add under {events}: {template_line(route)}" for route in served if route not in routed]
    fixes += [
        f"remove {name} from {events} (no router serves {route})"
        for route, name in routed.items()
        if route not in served
    ]
    fixes += [
        f"add events/{path.name} (invoke api.event '{route}')"
        for path, route in samples.items()
        if not path.is_file()
    ]
    fixes += [
        f"remove events/{path.name} (no such route)" for path in EVENTS.glob("*.json") if path not in samples
    ]
    assert fixes == [], "; ".join(fixes)


def test_each_sample_event_is_a_request_of_its_route() -> None:
    for route in app_routes():
        event, (method, template) = sample_event(route), route.split(" ", 1)
        assert event["routeKey"] == event["requestContext"]["routeKey"] == route
        assert event["requestContext"]["http"]["method"] == method
        path = template.format(**event.get("pathParameters", {}))
        assert event["rawPath"] == event["requestContext"]["http"]["path"] == path
