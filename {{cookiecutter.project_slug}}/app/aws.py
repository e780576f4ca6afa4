"""AWS SDK clients, created on first use and kept for the life of the execution environment.

Like Jets' AwsServices: ``aws.client("secretsmanager")`` returns the same client on every
invocation. boto3 (provided by the Lambda runtime) is imported on first use only, so a
function that makes no AWS call does not pay for it at cold start.
"""

import functools
from typing import Any

# A call in the request path must fail well inside the function's 10 s timeout: a function in a
# VPC with no route to a service gives up after 2 attempts of at most 2 s to connect and 2 s to
# read (botocore adds a backoff of under a second between them).
CONNECT_TIMEOUT = 2
READ_TIMEOUT = 2
MAX_ATTEMPTS = 2
# A local emulator of a service takes any region and credentials: these.
LOCAL_REGION = "us-east-1"
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


@functools.cache
def client(
    service: str, region: str | None = None, read_timeout: int = READ_TIMEOUT, endpoint_url: str | None = None
) -> Any:
    """The process-wide boto3 client of ``service``.

    The region is Lambda's (AWS_DEFAULT_REGION) unless given; ``read_timeout`` is for calls
    that take long, such as invoking a function that runs migrations. ``endpoint_url`` names a
    local emulator of the service, reached with LOCAL_CREDENTIALS (no AWS account needed).
    """
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=read_timeout,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
    )
    if endpoint_url is None:
        return boto3.session.Session().client(service, region_name=region, config=config)
    return boto3.session.Session().client(
        service, region or LOCAL_REGION, endpoint_url=endpoint_url, config=config, **LOCAL_CREDENTIALS
    )
