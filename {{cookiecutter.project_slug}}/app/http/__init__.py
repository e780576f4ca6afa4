"""JSON over API Gateway HTTP APIs (payload format 2.0): routing, reading requests, answering errors.

A handler is ``router({"GET /posts/{id}": show_post, ...})``: each route receives a ``Request``
and returns ``json_response(...)``, or raises ``HttpError`` for what the client got wrong. See
"Errors and limits" in the README for what clients are answered.
"""

from .fields import text_field
from .requests import Request
from .responses import HttpError, Response, json_response
from .router import router

__all__ = ["HttpError", "Request", "Response", "json_response", "router", "text_field"]
