"""AWS SDK clients, created on first use and kept for the life of the execution environment.

Like Jets' AwsServices: ``aws.client("secretsmanager")`` returns the same client on every
invocation. boto3 (provided by the Lambda runtime) is imported on first use only, so a
function that makes no AWS call does not pay for it at cold start.
"""

import functools
from typing import Any


@functools.cache
def client(service: str) -> Any:
    """The process-wide boto3 client of ``service``, in the region Lambda sets (AWS_DEFAULT_REGION)."""
    import boto3

    return boto3.session.Session().client(service)
