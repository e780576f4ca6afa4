"""API Gateway HTTP API events (payload format 2.0), as the generated API function receives them.

Light on purpose: the bench's worker and cold-start processes build their events with it.
"""

import json
from types import SimpleNamespace
from typing import Any

FUNCTION_TIMEOUT_MS = 10_000  # template.yaml's Timeout: every invocation starts with all of it
# What the handler reads of Lambda's context object (Powertools' Logger records it), but the time left.
CONTEXT_FIELDS = {
    "function_name": "ApiFunction",
    "memory_limit_in_mb": 512,
    "invoked_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:ApiFunction",
    "aws_request_id": "bench-request-id",
}
CONTEXT = SimpleNamespace(**CONTEXT_FIELDS, get_remaining_time_in_millis=lambda: FUNCTION_TIMEOUT_MS)


def http_event(route: str, body: Any = None, **path: str) -> dict[str, Any]:
    """An event of ``route`` ("GET /posts/{post_id}"), its path parameters filled in, a dict body as JSON."""
    method, template = route.split(" ", 1)
    raw_path = template.format(**path)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route,
        "rawPath": raw_path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "http": {"method": method, "path": raw_path},
            "requestId": "bench-request-id",
            "routeKey": route,
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }
    if path:
        event["pathParameters"] = path
    if body is not None:
        event["body"] = json.dumps(body)
    return event
