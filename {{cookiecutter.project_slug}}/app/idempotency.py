"""Writes a client can retry: a POST's ``Idempotency-Key``, kept in the transaction of the write.

A client that sends ``Idempotency-Key: <a new UUID>`` with a POST may send the same request again
whenever it did not get the answer (a timeout, a 503): it is done once. The key and the response
are written in the same transaction as the route's own writes (the route's ``session_scope()``
joins the one opened here), so they commit or roll back together. A retry finds both, and gets
the first response again with ``Idempotent-Replayed: true``, or neither, and runs as a first
request. A record kept outside that transaction (Powertools' idempotency utility keeps one in a
store of its own) can part from the write when the function stops between the two.

The same key with another request (method, path, query or body) is a 422; while the key's first
request still runs, a retry waits at most IN_FLIGHT_WAIT_SECONDS for it, then is a 409. A key
belongs to its caller (app/caller.py) and lasts KEY_LIFETIME; keyed writes remove a few expired
keys each. A POST without the key runs as before: retrying it may write twice.
"""

import hashlib
import json
import re
from datetime import datetime, timedelta

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from .bodies import to_json
from .caller import caller
from .db import driver, session_scope
from .models import IdempotencyKey
from .models.base import utcnow

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_FORMAT = re.compile(r"[!-~]{1,255}")  # visible ASCII: a UUID, a ULID, a hash
KEY_LIFETIME = timedelta(hours=24)
IN_FLIGHT_WAIT_SECONDS = 1  # whole seconds, as every server counts a lock wait's bound
EXPIRED_PER_WRITE = 10  # expired keys a keyed write removes, at most
RETRY_IS_SAFE = f"retrying with the same {HEADER} is safe"
INVALID_KEY = (
    f"{HEADER} must be 1 to 255 visible ASCII characters: send a new UUID with each write, "
    "and the same one with its retries"
)
OTHER_REQUEST = (
    f"this {HEADER} was sent with another request: send a new key with each write, "
    "and its retries with the same method, path and body"
)
IN_PROGRESS = f"a request with this {HEADER} is still running: retry once it has finished"
KEY_ACCEPTED = "idempotency_key_accepted"  # in app.context: the request's key was accepted


def idempotent_writes(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response:
    """Middleware of every route: a POST with an Idempotency-Key runs once, in a transaction with its key."""
    request = app.current_event
    key = request.headers.get(HEADER)
    if request.http_method != "POST" or key is None:
        return next_middleware(app)
    if not KEY_FORMAT.fullmatch(key):
        raise ServiceError(422, INVALID_KEY)
    app.append_context(**{KEY_ACCEPTED: True})
    digest = key_digest(key, caller(request))
    with session_scope() as session:
        earlier = claim(session, digest, request_digest(request))
        if earlier is not None:
            return replay(earlier)
        remove_expired(session)
        response = next_middleware(app)
        keep(session, digest, response)
    return response


def retry_is_safe(app: APIGatewayHttpResolver) -> bool:
    """True when the current request's Idempotency-Key was accepted: sending it again writes at most once."""
    return bool(app.context.get(KEY_ACCEPTED))


def key_digest(key: str, caller_id: str | None) -> str:
    """The stored form of a caller's key: two callers' keys never meet."""
    return hashlib.sha256(to_json([caller_id, key]).encode()).hexdigest()


def request_digest(request: APIGatewayProxyEventV2) -> str:
    """What a retry must repeat: the method, path, query string and body."""
    parts = [request.http_method, request.path, request.raw_query_string, request.decoded_body or ""]
    return hashlib.sha256(to_json(parts).encode()).hexdigest()


def claim(session: Session, digest: str, request: str) -> IdempotencyKey | None:
    """Record the key for this request: None when it is now this request's; else its earlier use.

    The row is inserted first, so that a retry of a request still running waits on it (at most
    IN_FLIGHT_WAIT_SECONDS) and then finds the first one's row, committed. An expired use of the
    key is removed and the key taken anew.
    """
    connection = session.connection()
    now = utcnow()
    row = {"key_digest": digest, "request_digest": request, "expires_at": now + KEY_LIFETIME}
    earlier = None
    try:
        with driver.lock_waits_bounded(connection, IN_FLIGHT_WAIT_SECONDS):
            while earlier is None and not driver.insert_new(connection, IdempotencyKey.__table__, row):
                earlier = unexpired(session, digest, now)
    except DBAPIError as error:
        if driver.is_lock_conflict(error.orig):
            raise ServiceError(409, IN_PROGRESS) from None
        raise
    if earlier is None:
        return None
    if earlier.request_digest != request:
        raise ServiceError(422, OTHER_REQUEST)
    if earlier.status_code is None:  # committed part-way by the route itself: the response comes at its end
        raise ServiceError(409, IN_PROGRESS)
    return earlier


def unexpired(session: Session, digest: str, now: datetime) -> IdempotencyKey | None:
    """The key's committed row, locked against removal; None when there is none, or it expired (removed)."""
    earlier = session.scalars(
        select(IdempotencyKey).where(IdempotencyKey.key_digest == digest).with_for_update(read=True)
    ).one_or_none()
    if earlier is not None and earlier.expires_at <= now:
        session.delete(earlier)
        session.flush()
        return None
    return earlier


def remove_expired(session: Session) -> int:
    """Delete up to EXPIRED_PER_WRITE expired keys that no other transaction holds; return how many."""
    expired = session.scalars(
        select(IdempotencyKey.key_digest)
        .where(IdempotencyKey.expires_at <= utcnow())
        .order_by(IdempotencyKey.expires_at)
        .limit(EXPIRED_PER_WRITE)
        .with_for_update(skip_locked=True)
    ).all()
    if expired:
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.key_digest.in_(expired)))
    return len(expired)


def keep(session: Session, digest: str, response: Response) -> None:
    """Store ``response`` with its key; the client gets the very body a retry will."""
    if not isinstance(response.body, str):
        response.body = to_json(response.body)
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.key_digest == digest)
        .values(
            status_code=response.status_code,
            response_headers=to_json(response.headers),
            response_body=response.body,
        )
    )


def replay(earlier: IdempotencyKey) -> Response:
    """The first response to the key, again, marked as such."""
    headers = json.loads(earlier.response_headers) | {REPLAYED_HEADER: "true"}
    return Response(earlier.status_code, body=earlier.response_body, headers=headers)
