"""AWS SDK clients, created on first use and kept for the life of the execution environment.

Like Jets' AwsServices: ``aws.client("secretsmanager")`` returns the same client on every
invocation. boto3 (provided by the Lambda runtime) is imported on first use only, so a
function that makes no AWS call does not pay for it at cold start.
"""

import functools
from typing import Any

from . import deadline
from .errors import DatabaseUnavailableError

# A call in the request path must fail well inside the function's 10 s timeout: a function in a
# VPC with no route to a service gives up after 2 attempts of at most 2 s to connect and 2 s to
# read (botocore adds a backoff of under a second between them).
CONNECT_TIMEOUT = 2
READ_TIMEOUT = 2
MAX_ATTEMPTS = 2
# The longest such a call can take: its attempts, and botocore's backoff (under 1 s) between them.
LONGEST_CALL = MAX_ATTEMPTS * (CONNECT_TIMEOUT + READ_TIMEOUT) + (MAX_ATTEMPTS - 1)
# A local emulator of a service takes any region and credentials: these.
LOCAL_REGION = "us-east-1"
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


@functools.cache
def client(
    service: str,
    region: str | None = None,
    read_timeout: float = READ_TIMEOUT,
    endpoint_url: str | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    max_attempts: int = MAX_ATTEMPTS,
) -> Any:
    """The process-wide boto3 client of ``service`` (one per set of arguments).

    The region is Lambda's (AWS_DEFAULT_REGION) unless given; ``read_timeout`` is for calls
    that take long, such as invoking a function that runs migrations. ``endpoint_url`` names a
    local emulator of the service, reached with LOCAL_CREDENTIALS (no AWS account needed).
    """
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"mode": "standard", "total_max_attempts": max_attempts},
    )
    if endpoint_url is None:
        return boto3.session.Session().client(service, region_name=region, config=config)
    return boto3.session.Session().client(
        service, region or LOCAL_REGION, endpoint_url=endpoint_url, config=config, **LOCAL_CREDENTIALS
    )


def client_within_deadline(service: str, endpoint_url: str | None = None) -> Any:
    """The client of ``service`` for a call in the request path, which ends by the invocation's deadline.

    botocore fixes a client's timeouts and attempts when it creates it (``Config``): they cannot
    be given per call. With time left for ``LONGEST_CALL``, or outside an invocation, this is the
    process-wide ``client``. With less, it is a client of one attempt whose connect and read
    timeouts share the whole seconds left, kept too (at most one per second of the function's
    timeout, made only by a slow invocation). Under a second left, the call is not made.
    """
    left = deadline.time_left()
    if left is None or left >= LONGEST_CALL:
        return client(service, endpoint_url=endpoint_url)
    seconds = int(left)
    if seconds < 1:
        raise DatabaseUnavailableError(f"no time left to call {service}: {left:.2f} s before the deadline")
    half = seconds / 2
    return client(service, endpoint_url=endpoint_url, connect_timeout=half, read_timeout=half, max_attempts=1)
