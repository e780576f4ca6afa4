"""AWS clients: created once per execution environment, and only when used."""

import socket
import subprocess
import sys
import time

import pytest
from botocore.stub import Stubber

from app import aws
from app.db import credentials
from app.errors import DatabaseUnavailableError

from tests.conftest import REGION


def test_a_client_is_created_once_and_reused(monkeypatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    aws.client.cache_clear()
    first = aws.client("secretsmanager")
    assert aws.client("secretsmanager") is first
    assert first.meta.region_name == REGION

    with Stubber(first) as stub:
        stub.add_response("get_secret_value", {"SecretString": "{}"}, {"SecretId": "db"})
        assert aws.client("secretsmanager").get_secret_value(SecretId="db")["SecretString"] == "{}"
        stub.assert_no_pending_responses()
    aws.client.cache_clear()


# The AWS SDK's modules. Powertools imports botocore's package itself (a millisecond), to tag the
# SDK's calls as its own if any are made; the SDK is what costs a cold start (tens of milliseconds).
AWS_SDK = "sorted(m for m in sys.modules if m.split('.')[0] == 'boto3' or m.startswith('botocore.'))"


def test_the_handler_cold_path_does_not_import_boto3() -> None:
    code = f"import sys\nimport app.main\nimport app.aws\nprint({AWS_SDK})"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_service_that_never_answers_fails_within_a_few_seconds(monkeypatch) -> None:
    listener = socket.create_server(("127.0.0.1", 0))  # accepts, then never answers
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", f"http://127.0.0.1:{listener.getsockname()[1]}")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    aws.client.cache_clear()
    started = time.monotonic()
    try:
        with pytest.raises(DatabaseUnavailableError, match="cannot read the database password from db"):
            credentials.password("db")
    finally:
        listener.close()
        aws.client.cache_clear()
    assert time.monotonic() - started < 6  # 2 attempts of a 2 s read, well inside the 10 s timeout
