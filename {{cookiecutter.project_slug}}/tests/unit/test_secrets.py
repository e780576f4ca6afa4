"""The database password from Secrets Manager, as the functions read it on Lambda."""

import json

import pytest

from app.db import credentials
from app.db.settings import DatabaseSettings, load_database_settings
from app.errors import ConfigurationError, DatabaseUnavailableError

from tests.conftest import REGION

SECRET = f"arn:aws:secretsmanager:{REGION}:123456789012:secret:db-AbCdEf"
RDS_SECRET = json.dumps({"username": "admin", "password": "p@ss:/word#1"})


@pytest.fixture(autouse=True)
def forget_secrets() -> None:
    credentials.forget()


def answer(stubs, secret: str) -> None:
    stubs["secretsmanager"].add_response("get_secret_value", {"SecretString": secret}, {"SecretId": SECRET})


def test_the_password_is_read_from_an_rds_secret_once(stub_aws) -> None:
    answer(stub_aws("secretsmanager"), RDS_SECRET)
    assert credentials.password(SECRET) == "p@ss:/word#1"
    assert credentials.password(SECRET) == "p@ss:/word#1"  # a second call would find no stubbed answer


def test_a_secret_may_hold_the_bare_password(stub_aws) -> None:
    answer(stub_aws("secretsmanager"), "just-the-password")
    assert credentials.password(SECRET) == "just-the-password"


def test_json_without_a_password_is_refused(stub_aws) -> None:
    answer(stub_aws("secretsmanager"), json.dumps({"username": "admin"}))
    with pytest.raises(ConfigurationError) as error:
        credentials.password(SECRET)
    assert str(error.value) == f"secret {SECRET} holds JSON but no password key: add one, as RDS does"


def test_an_unreadable_secret_means_the_database_is_unavailable(stub_aws) -> None:
    stubs = stub_aws("secretsmanager")
    stubs["secretsmanager"].add_client_error(
        "get_secret_value", service_error_code="AccessDeniedException", service_message="not allowed"
    )
    with pytest.raises(DatabaseUnavailableError) as error:
        credentials.password(SECRET)
    assert str(error.value) == (
        f"cannot read the database password from {SECRET}: An error occurred (AccessDeniedException) "
        "when calling the GetSecretValue operation: not allowed"
    )


def production_from(settings: DatabaseSettings, monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    """Point the production section at the test database, the app's password in a secret (as on Lambda)."""
    monkeypatch.setenv("APP_ENV", "production")
    for name, value in {
        "DB_HOST": settings.host,
        "DB_PORT": str(port),
        "DB_USER": settings.username,
        "DB_APP_USER": settings.app_username,
        "DB_NAME": settings.database,
        "DB_APP_SECRET_ARN": SECRET,
        "DB_SSL": "false",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("DB_PASS", "DB_APP_PASS", "DB_SECRET_ARN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_production_names_the_app_users_secret_and_db_app_pass_wins_over_it(
    settings: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    production_from(settings, monkeypatch, settings.port)
    app_user = load_database_settings().as_app_user()
    assert (app_user.username, app_user.password) == (settings.app_username, "")
    assert app_user.password_secret == SECRET
    monkeypatch.setenv("DB_APP_PASS", "from-the-environment")
    assert load_database_settings().as_app_user().password == "from-the-environment"


def test_the_settings_never_show_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_PASS", "do-not-print-me")
    monkeypatch.setenv("DB_APP_PASS", "nor-me")
    assert "do-not-print-me" not in repr(load_database_settings())
    assert "nor-me" not in repr(load_database_settings())


def test_a_bare_password_that_parses_as_json_is_used_as_it_is(stub_aws) -> None:
    answer(stub_aws("secretsmanager"), "20241231")
    assert credentials.password(SECRET) == "20241231"
