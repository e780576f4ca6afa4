"""IAM database authentication: a token signed per new connection, sent over TLS only, never logged.

On AWS the token is checked by RDS or RDS Proxy. The local server stands in for them: it is given
its own password in the token's place (a server that trusts local logins would take anything),
after the test has seen what the app would have sent. The app's RDS client is a real botocore
client with test credentials, which signs locally as Lambda's would.
"""

import logging
import os
import subprocess
import sys
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

import pytest
from botocore.httpsession import DEFAULT_CA_BUNDLE
from sqlalchemy.exc import OperationalError

from app import db
from app.db import credentials, driver
from app.db.engine import build_engine
from app.db.settings import DatabaseSettings, load_database_settings
from app.environment import PROJECT_ROOT
from app.errors import ConfigurationError
from app.main import handler

from tests.conftest import REGION
from tests.events import invoke
from tests.unit.test_aws import AWS_SDK
from tests.unit.test_secrets import production_from


@pytest.fixture
def signed(stub_aws, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens the app has signed, in order."""
    client = stub_aws("rds")["rds"].client
    sign, tokens = client.generate_db_auth_token, []

    def recorded(**parameters: Any) -> str:
        tokens.append(sign(**parameters))
        return tokens[-1]

    monkeypatch.setattr(client, "generate_db_auth_token", recorded)
    return tokens


def test_each_new_connection_logs_in_with_a_freshly_signed_token(
    settings: DatabaseSettings, signed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = build_engine(replace(settings, iam_auth=True))  # the local server has no TLS to offer
    sent, connect = [], driver.connect

    def stand_in_for_rds(dialect: Any, cargs: list[Any], cparams: dict[str, Any]) -> Any:
        sent.append(cparams["password"])
        return connect(dialect, cargs, cparams | {"password": settings.password})

    monkeypatch.setattr(driver, "connect", stand_in_for_rds)

    for _ in range(3):
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
            connection.invalidate()  # the next checkout opens a new connection
    engine.dispose()
    assert len(signed) == 3
    assert sent == signed


def test_a_token_is_signed_for_the_host_port_and_user(settings: DatabaseSettings, signed: list[str]) -> None:
    address, query = credentials.iam_token(settings).split("/?", 1)
    fields = parse_qs(query)
    assert address == f"{settings.host}:{settings.port}"
    assert (fields["Action"], fields["DBUser"], fields["X-Amz-Expires"]) == (
        ["connect"],
        [settings.username],
        ["900"],
    )
    assert fields["X-Amz-Credential"][0].endswith(f"/{REGION}/rds-db/aws4_request")


def test_iam_auth_without_tls_is_refused_in_one_line(
    settings: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    production_from(settings, monkeypatch, settings.port)  # DB_SSL=false
    monkeypatch.setenv("DB_IAM_AUTH", "true")
    with pytest.raises(ConfigurationError) as error:
        load_database_settings()
    assert str(error.value) == (
        "iam_auth of 'production' needs ssl: RDS takes IAM tokens over TLS only, "
        "and a token sent in clear could be replayed (set DB_SSL=true)"
    )


def test_a_token_is_never_sent_to_a_server_without_tls_nor_logged(
    settings: DatabaseSettings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    signed: list[str],
) -> None:
    production_from(settings, monkeypatch, settings.port)
    monkeypatch.setenv("DB_IAM_AUTH", "true")
    monkeypatch.setenv("DB_SSL", "true")
    monkeypatch.setenv("DB_SSL_CA", DEFAULT_CA_BUNDLE)  # a stand-in for the RDS bundle the build fetches
    db.reset()
    caplog.set_level(logging.DEBUG)

    status, body = invoke(handler, "GET /posts")
    assert status == 503
    [token] = signed
    assert "SSL" in caplog.text  # the driver refused to log in without TLS, which the local server lacks
    assert token not in caplog.text
    assert token not in str(body)


def test_a_refused_token_is_not_in_the_error(
    settings: DatabaseSettings, caplog: pytest.LogCaptureFixture, signed: list[str]
) -> None:
    engine = build_engine(replace(settings, iam_auth=True, username="no_such_user"))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(OperationalError) as raised:
        engine.connect()
    engine.dispose()
    [token] = signed
    assert "no_such_user" in str(raised.value)  # the server refused the login it was sent
    assert token not in str(raised.value)
    assert token not in caplog.text


COLD_START = f"""
import sys
from app.main import handler
from tasks.api import LocalContext
from tests.events import http_event
print(handler(http_event("GET /posts"), LocalContext())["statusCode"], bool({AWS_SDK}))
"""


@pytest.mark.parametrize(("iam_auth", "answer"), [("false", "200 False"), ("true", "503 True")])
def test_a_cold_start_imports_botocore_only_with_iam_auth(
    settings: DatabaseSettings, iam_auth: str, answer: str
) -> None:
    """A new process serving its first invocation; with IAM auth it signs a token, then meets no TLS here."""
    variables = {
        name: value for name, value in os.environ.items() if not name.startswith(("DB_", "DATABASE_"))
    }
    variables |= {
        "APP_ENV": "production",
        "DB_HOST": settings.host,
        "DB_PORT": str(settings.port),
        "DB_USER": settings.username,
        "DB_APP_USER": settings.app_username,
        "DB_APP_PASS": settings.app_password,
        "DB_NAME": settings.database,
        "DB_IAM_AUTH": iam_auth,
        "DB_SSL": iam_auth,
        "DB_SSL_CA": DEFAULT_CA_BUNDLE,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
    }
    result = subprocess.run(
        [sys.executable, "-c", COLD_START],
        cwd=PROJECT_ROOT,
        env=variables,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == answer, result.stderr[-2000:]  # after the log, if any
