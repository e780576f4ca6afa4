"""config/database.yml, environment variables and DATABASE_URL."""

import json
import os
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from app.db import adapter
from app.db.adapter import ADAPTER, DEFAULT_PORT
from app.db.settings import (
    DATABASE_YML,
    load_database_settings,
)
from app.environment import PROJECT_ROOT
from app.errors import ConfigurationError
from app.migrate import app_user_password

VARIABLES = [
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "DB_HOST",
    "DB_PORT",
    "DB_USER",
    "DB_PASS",
    "DB_APP_USER",
    "DB_APP_PASS",
    "DB_APP_SECRET_ARN",
    "DB_IAM_AUTH",
    "DB_NAME",
    "DB_NAME_TEST",
    "DB_POOL",
    "DB_SSL",
    "DB_SSL_CA",
]
URL = f"{ADAPTER}://admin:s3cret@db.example.com:7000/blog"
# Database names start with the project's name, as Rails' start with the application's.
APP_NAME = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["name"].replace("-", "_")
# database.yml's default app user: <name>_app, or app_<name> for a name the server reserves (pg_...).
APP_USER = f"app_{APP_NAME[:28]}" if APP_NAME.startswith("pg_") else f"{APP_NAME[:28]}_app"


@pytest.fixture(autouse=True)
def clean_environment() -> Iterator[None]:
    """Unset the database variables, and undo whatever a test (or a .env file) sets."""
    saved = dict(os.environ)
    for name in VARIABLES:
        os.environ.pop(name, None)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_each_environment_has_its_own_database() -> None:
    assert load_database_settings("development").database == f"{APP_NAME}_development"
    assert load_database_settings("test").database == f"{APP_NAME}_test"


def test_defaults_for_local_development() -> None:
    settings = load_database_settings("development")
    assert settings.adapter == ADAPTER
    assert (settings.host, settings.port) == ("127.0.0.1", DEFAULT_PORT)
    assert settings.pool == 1
    assert settings.ssl is False


def test_the_api_logs_in_as_the_app_user_on_the_same_database() -> None:
    settings = load_database_settings("development")
    app_user = settings.as_app_user()
    assert (app_user.username, app_user.password) == (APP_USER, APP_USER)
    assert app_user.username != settings.username
    assert app_user.url() == settings.url().set(username=app_user.username, password=app_user.password)


def test_an_app_user_that_is_the_owner_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    owner = load_database_settings("development").username
    monkeypatch.setenv("DB_APP_USER", owner)
    with pytest.raises(ConfigurationError) as raised:
        load_database_settings("development")
    assert str(raised.value) == (
        f"app_username of 'development' is the owner's username {owner!r}: name another user "
        "(DB_APP_USER), whom the migrations give rights on the data only"
    )


def test_the_app_user_needs_a_password_or_iam_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", URL)
    settings = load_database_settings("production")
    with pytest.raises(ConfigurationError, match=r"the app user of 'production' has no password: set app_"):
        app_user_password(settings)
    monkeypatch.setenv("DB_IAM_AUTH", "true")
    assert app_user_password(load_database_settings("production")) is None  # IAM tokens
    monkeypatch.setenv("DB_APP_PASS", "chosen")
    assert app_user_password(load_database_settings("production")) == "chosen"


def test_app_env_picks_the_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "development")
    assert load_database_settings().env == "development"


def test_environment_variables_override_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_HOST", "db.internal")
    monkeypatch.setenv("DB_PORT", "6000")
    monkeypatch.setenv("DB_POOL", "3")
    settings = load_database_settings("development")
    assert (settings.host, settings.port, settings.pool) == ("db.internal", 6000, 3)


def test_production_takes_its_values_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_HOST", "prod.cluster.example.com")
    monkeypatch.setenv("DB_USER", "admin")
    monkeypatch.setenv("DB_PASS", "secret")
    monkeypatch.setenv("DB_NAME", "blog")
    settings = load_database_settings("production")
    assert settings.describe() == f"prod.cluster.example.com:{DEFAULT_PORT}/blog"
    assert (settings.ssl, settings.ssl_ca) == (True, str(PROJECT_ROOT / "config" / "rds-ca-bundle.pem"))


def test_a_ca_bundle_is_found_from_the_project_or_where_its_absolute_path_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DB_SSL_CA", "certs/ca.pem")
    assert load_database_settings("development").ssl_ca == str(PROJECT_ROOT / "certs" / "ca.pem")
    monkeypatch.setenv("DB_SSL_CA", "/etc/ssl/ca.pem")
    assert load_database_settings("development").ssl_ca == "/etc/ssl/ca.pem"


def test_production_without_its_variables_names_the_first_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_database_settings("production")
    assert str(raised.value) == (
        "host of 'production' needs the environment variable DB_HOST, which is not set: "
        "export DB_HOST=... (or set DATABASE_URL)"
    )


def test_database_url_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", URL)
    settings = load_database_settings("production")
    assert (settings.username, settings.password) == ("admin", "s3cret")
    assert settings.describe() == "db.example.com:7000/blog"
    assert settings.ssl is True  # the rest still comes from the file


def test_database_url_never_applies_to_the_test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", URL)
    assert load_database_settings("development").describe() == "db.example.com:7000/blog"
    assert load_database_settings("test").database == f"{APP_NAME}_test"


def test_test_database_url_applies_to_the_test_environment_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_DATABASE_URL", URL)
    assert load_database_settings("test").describe() == "db.example.com:7000/blog"
    assert load_database_settings("development").database == f"{APP_NAME}_development"


@pytest.mark.parametrize("variable", ["DATABASE_URL", "DB_PASS"])
def test_values_from_the_environment_are_never_expanded_again(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", "/root")
    password = "abc${HOME}def${DB_NOT_SET}"
    value = f"{ADAPTER}://app:{password}@db.example.com/blog" if variable == "DATABASE_URL" else password
    monkeypatch.setenv(variable, value)
    assert load_database_settings("development").password == password


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            f"{ADAPTER}://app:p@ss@db.example.com/blog",
            "DATABASE_URL has more than one '@': percent-encode the ones in the user name or password "
            "as %40 (and ':' as %3A, '/' as %2F)",
        ),
        (
            f"{ADAPTER}://app:secret@db.example.com:port/blog",
            "DATABASE_URL has a port that is not a number: use adapter://user:password@host:port/database",
        ),
        (
            "not a url",
            "DATABASE_URL is not a database URL: use adapter://user:password@host:port/database",
        ),
    ],
)
def test_a_bad_database_url_is_named_without_its_password(
    url: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ConfigurationError) as raised:
        load_database_settings("development")
    assert str(raised.value) == message


def test_percent_encoded_password_in_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"{ADAPTER}://app:p%40ss%3Aw%2Frd@db.example.com/blog")
    assert load_database_settings("development").password == "p@ss:w/rd"


def test_password_with_special_characters_survives_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    password = "p@ss:w/rd#%?&="
    monkeypatch.setenv("DB_PASS", password)
    url = load_database_settings("development").url()
    assert url.password == password
    assert url.render_as_string(hide_password=False).count("@") == 1


def test_unknown_environment_lists_the_known_ones() -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_database_settings("staging")
    assert str(raised.value) == (
        "unknown environment 'staging': database.yml defines development, test, production"
    )


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "config" / "database.yml"
    with pytest.raises(ConfigurationError) as raised:
        load_database_settings("development", missing)
    assert str(raised.value) == f"{missing} not found: create it (see the project README)"


def write_database_yml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config" / "database.yml"
    path.parent.mkdir()
    path.write_text(text)
    return path


def test_a_section_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = write_database_yml(tmp_path, "development: hello\n")
    with pytest.raises(ConfigurationError) as raised:
        load_database_settings("development", path)
    assert str(raised.value) == (
        "the 'development' section of database.yml must map setting names to values, not 'hello'"
    )


def test_yaml_syntax_errors_keep_their_line_and_column(tmp_path: Path) -> None:
    path = write_database_yml(tmp_path, "development:\n  host: localhost\n   port: 1\n")
    with pytest.raises(ConfigurationError) as raised:
        load_database_settings("development", path)
    assert str(raised.value) == (
        f"{path}, line 3, column 8 is not valid YAML: mapping values are not allowed here"
    )


def test_missing_required_key(tmp_path: Path) -> None:
    path = write_database_yml(
        tmp_path, f"development:\n  adapter: {ADAPTER}\n  host: localhost\n  username: app\n"
    )
    with pytest.raises(ConfigurationError) as raised:
        load_database_settings("development", path)
    assert str(raised.value) == "database is missing from the 'development' section of database.yml"


def test_a_misspelt_setting_is_refused_with_the_nearest_one(tmp_path: Path) -> None:
    path = write_database_yml(
        tmp_path, f"development:\n  adapter: {ADAPTER}\n  host: localhost\n  username: app\n  databse: blog\n"
    )
    with pytest.raises(ConfigurationError) as raised:
        load_database_settings("development", path)
    assert str(raised.value) == (
        "unknown setting 'databse' in the 'development' section of database.yml: did you mean 'database'?"
    )


def test_an_unclosed_variable_is_refused_not_taken_as_a_name(tmp_path: Path) -> None:
    path = write_database_yml(
        tmp_path,
        f"development:\n  adapter: {ADAPTER}\n  host: localhost\n  username: app\n"
        "  database: ${DB_NAME:-blog\n",
    )
    with pytest.raises(ConfigurationError) as raised:
        load_database_settings("development", path)
    assert str(raised.value) == (
        "database of 'development' has a ${ that is not closed or not a variable name: "
        "write ${NAME} or ${NAME:-default}"
    )


def test_bad_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_PORT", "abc")
    with pytest.raises(ConfigurationError) as raised:
        load_database_settings("development")
    assert str(raised.value) == "port of 'development' must be int, not 'abc'"


def test_adapter_whose_driver_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(adapter, "DBAPI_MODULE", "no_such_driver")
    with pytest.raises(ConfigurationError) as raised:
        load_database_settings("development")
    assert str(raised.value) == (
        f"adapter '{ADAPTER}' of 'development' needs the no_such_driver driver, "
        f"which is not installed: pip install {adapter.PIP_PACKAGE}"
    )


def test_env_files_are_read_locally_with_the_shell_winning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "database.yml").write_text(DATABASE_YML.read_text())
    (tmp_path / ".env").write_text("DB_HOST=from-dotenv\nDB_USER=from-dotenv\nDB_POOL=4\n")
    (tmp_path / ".env.development").write_text("DB_HOST=from-dotenv-development\n")
    monkeypatch.setenv("DB_POOL", "2")
    settings = load_database_settings("development", tmp_path / "config" / "database.yml")
    assert (settings.host, settings.username, settings.pool) == ("from-dotenv-development", "from-dotenv", 2)


def test_env_files_are_ignored_on_lambda(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "database.yml").write_text(DATABASE_YML.read_text())
    (tmp_path / ".env").write_text("DB_HOST=from-dotenv\n")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "api")
    assert load_database_settings("development", tmp_path / "config" / "database.yml").host == "127.0.0.1"


def test_the_json_that_sam_build_ships_is_read_like_the_yaml(tmp_path: Path) -> None:
    compiled = tmp_path / "config" / "database.json"
    compiled.parent.mkdir()
    compiled.write_text(json.dumps(yaml.safe_load(DATABASE_YML.read_text())))
    settings = load_database_settings("development", tmp_path / "config" / "database.yml")
    assert settings == load_database_settings("development")


def test_a_broken_json_is_named_with_its_line_and_column(tmp_path: Path) -> None:
    compiled = tmp_path / "config" / "database.json"
    compiled.parent.mkdir()
    compiled.write_text('{"development": {"host": }}')
    with pytest.raises(ConfigurationError) as raised:
        load_database_settings("development", tmp_path / "config" / "database.yml")
    assert str(raised.value) == f"{compiled} is not valid JSON: Expecting value: line 1 column 26 (char 25)"


def test_a_stray_json_never_overrides_database_yml(tmp_path: Path) -> None:
    path = write_database_yml(tmp_path, DATABASE_YML.read_text())
    stray = yaml.safe_load(DATABASE_YML.read_text())
    stray["development"]["database"] = "stray"
    path.with_suffix(".json").write_text(json.dumps(stray))
    assert load_database_settings("development", path) == load_database_settings("development")


def test_an_adapter_this_project_is_not_built_for_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "database.yml"
    path.write_text(
        "development:\n  adapter: sqlserver\n  host: localhost\n  username: app\n  app_username: app_user\n"
        "  database: blog\n"
    )
    with pytest.raises(ConfigurationError) as raised:
        load_database_settings("development", path)
    assert str(raised.value) == (
        f"adapter 'sqlserver' of 'development' is not supported: this project is built for '{ADAPTER}'"
    )


def test_a_database_url_of_another_adapter_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///blog.db")
    with pytest.raises(ConfigurationError) as raised:
        load_database_settings("development")
    assert str(raised.value) == (
        f"DATABASE_URL scheme 'sqlite' is not supported: use one of {', '.join(adapter.URL_SCHEMES)}"
    )
