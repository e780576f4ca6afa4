"""Read config/database.yml into the settings of one environment.

The file follows Rails and Jets: a section per environment, values taken from the environment
(``${DB_HOST:-127.0.0.1}``), and DATABASE_URL, when set, overriding the section's connection
fields; in the test environment TEST_DATABASE_URL does, so that the test suite never resolves
to the development or production database. Values that come from the environment are used as
they are, never expanded again. ``sam build`` ships the file as config/database.json (see the
Makefile), read where database.yml is absent, without importing PyYAML at cold start.
"""

import difflib
import importlib.util
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ..environment import PROJECT_ROOT, app_env, load_env_files
from ..errors import ConfigurationError
from . import adapter as project_adapter

DATABASE_YML = PROJECT_ROOT / "config" / "database.yml"
REQUIRED_KEYS = ("adapter", "host", "username", "database", "app_username")
# The variable whose URL overrides an environment's connection fields, when not DATABASE_URL
URL_VARIABLES = {"test": "TEST_DATABASE_URL"}
VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")


@dataclass(frozen=True)
class DatabaseSettings:
    """Connection settings of one environment.

    They name two users: the owner (``username``), whom the tasks and the migrate function log in
    as, and the app user (``app_username``), whom the API logs in as (``as_app_user``), with
    rights on the data only (app/app_user.py).
    """

    env: str
    adapter: str
    host: str
    port: int
    username: str
    password: str = field(repr=False)  # never shown in logs or tracebacks
    database: str
    password_secret: str | None = None  # a Secrets Manager secret holding the password instead
    app_username: str = ""
    app_password: str = field(default="", repr=False)
    app_password_secret: str | None = None
    iam_auth: bool = False  # log in with an IAM authentication token per connection instead
    pool: int = 1
    pool_timeout: float = 2.0
    connect_timeout: int = 3
    read_timeout: float | None = 5.0
    write_timeout: float | None = 5.0
    ping_after_idle: float = 60.0
    migration_lock_timeout: float = 60.0  # how long a migration waits for another one to finish
    ssl: bool = False  # TLS, always verified: the server's certificate and its name
    ssl_ca: str | None = None  # the CA bundle that verifies it (None: the system's CAs)

    def url(self, database: str | None = None) -> URL:
        """The SQLAlchemy URL; special characters in the password need no quoting."""
        return URL.create(
            project_adapter.SQLALCHEMY_DRIVER,
            username=self.username,
            password=self.password or None,
            host=self.host,
            port=self.port,
            database=self.database if database is None else database,
        )

    def as_app_user(self) -> "DatabaseSettings":
        """The same settings logging in as the app user: what the API connects with."""
        return replace(
            self,
            username=self.app_username,
            password=self.app_password,
            password_secret=self.app_password_secret,
        )

    def describe(self) -> str:
        """host:port/database, for messages."""
        return f"{self.host}:{self.port}/{self.database}"

    def ca_bundle(self) -> str | None:
        """``ssl_ca``, once it is known to exist (None: the system's CAs verify the server)."""
        if self.ssl_ca and not Path(self.ssl_ca).is_file():
            raise ConfigurationError(
                f"ssl_ca of {self.env!r} is {self.ssl_ca}, which does not exist: sam build downloads the "
                "RDS CA bundle there (make ca-bundle does it locally), or set DB_SSL_CA to a CA bundle"
            )
        return self.ssl_ca

    def without_time_limits(self) -> "DatabaseSettings":
        """The same settings with no read or write timeout: for migrations, whose DDL may run long."""
        return replace(self, read_timeout=None, write_timeout=None)


def load_database_settings(env: str | None = None, path: Path = DATABASE_YML) -> DatabaseSettings:
    """Settings of ``env`` (APP_ENV by default), with DATABASE_URL (TEST_DATABASE_URL) applied when set."""
    env = env or app_env()
    load_env_files(env, path.parent.parent)
    section = _section(_read_sections(path), env, path)
    variable = url_variable(env)
    from_url = _fields_from_url(variable, os.environ[variable]) if os.environ.get(variable) else {}
    values = {key: _expand(env, key, value) for key, value in section.items() if key not in from_url}
    return _build(env, values | from_url)


def url_variable(env: str) -> str:
    """The variable whose URL overrides ``env``'s connection fields: TEST_DATABASE_URL for test."""
    return URL_VARIABLES.get(env, "DATABASE_URL")


def _read_sections(path: Path) -> Mapping[str, Any]:
    compiled = path.with_suffix(".json")  # what sam build ships instead: Lambda then never imports PyYAML
    document = _read_json(compiled) if compiled.is_file() and not path.is_file() else _read_yaml(path)
    if not isinstance(document, dict):
        raise ConfigurationError(f"{path} must map environment names to settings")
    return {name: section for name, section in document.items() if name != "default"}


def _section(sections: Mapping[str, Any], env: str, path: Path) -> Mapping[str, Any]:
    """The settings of ``env``: a mapping, or nothing at all."""
    if env not in sections:
        known = ", ".join(sections)
        raise ConfigurationError(f"unknown environment {env!r}: {path.name} defines {known}")
    section = sections[env] or {}
    if not isinstance(section, dict):
        raise ConfigurationError(
            f"the {env!r} section of {path.name} must map setting names to values, not {section!r}"
        )
    known = [setting.name for setting in fields(DatabaseSettings) if setting.name != "env"]
    for key in section:
        if key not in known:
            nearest = difflib.get_close_matches(str(key), known, n=1)
            fix = f"did you mean {nearest[0]!r}?" if nearest else f"the settings are {', '.join(known)}"
            raise ConfigurationError(f"unknown setting {key!r} in the {env!r} section of {path.name}: {fix}")
    return section


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ConfigurationError(f"{path} is not valid JSON: {error}") from None


def _read_yaml(path: Path) -> Any:
    import yaml  # imported here: the built functions read the JSON and ship no PyYAML

    try:
        return yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ConfigurationError(f"{path} not found: create it (see the project README)") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = error.problem or error.context
        raise ConfigurationError(f"{path}{where} is not valid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise ConfigurationError(f"{path} is not valid YAML: {error}".splitlines()[0]) from None


def _expand(env: str, key: str, value: Any) -> Any:
    """Replace ${NAME} and ${NAME:-default} with values from the environment, taken as they are."""
    if not isinstance(value, str):
        return value
    if "${" in VARIABLE.sub("", value):
        raise ConfigurationError(
            f"{key} of {env!r} has a " + "${ that is not closed or not a variable name: write ${NAME} "
            "or ${NAME:-default}"
        )

    def substitute(match: re.Match[str]) -> str:
        name, default = match["name"], match["default"]
        found = os.environ.get(name)
        if found:
            return found
        if default is not None:
            return default
        raise ConfigurationError(
            f"{key} of {env!r} needs the environment variable {name}, which is not set: "
            f"export {name}=... (or set {url_variable(env)})"
        )

    return VARIABLE.sub(substitute, value)


def _fields_from_url(variable: str, text: str) -> dict[str, Any]:
    """The connection fields of a database URL; its password never appears in a message."""
    shape = "use adapter://user:password@host:port/database"
    if text.count("@") > 1:
        raise ConfigurationError(
            f"{variable} has more than one '@': percent-encode the ones in the user name or password "
            "as %40 (and ':' as %3A, '/' as %2F)"
        )
    try:
        url = make_url(text)
    except ArgumentError:
        raise ConfigurationError(f"{variable} is not a database URL: {shape}") from None
    except ValueError:
        raise ConfigurationError(f"{variable} has a port that is not a number: {shape}") from None
    scheme = url.drivername.split("+")[0]
    if scheme not in project_adapter.URL_SCHEMES:
        known = ", ".join(project_adapter.URL_SCHEMES)
        raise ConfigurationError(f"{variable} scheme {scheme!r} is not supported: use one of {known}")
    fields = {
        "adapter": project_adapter.ADAPTER,
        "host": url.host,
        "port": url.port,
        "username": url.username,
        "password": url.password or "",  # the URL says it all: no password means none
        "database": url.database,
    }
    return {key: value for key, value in fields.items() if value is not None}


def _build(env: str, values: dict[str, Any]) -> DatabaseSettings:
    for key in REQUIRED_KEYS:
        if values.get(key) in (None, ""):
            raise ConfigurationError(f"{key} is missing from the {env!r} section of database.yml")
    adapter = values["adapter"]
    if adapter != project_adapter.ADAPTER:
        raise ConfigurationError(
            f"adapter {adapter!r} of {env!r} is not supported: this project is built for "
            f"{project_adapter.ADAPTER!r}"
        )
    module = project_adapter.DBAPI_MODULE
    if importlib.util.find_spec(module) is None:
        raise ConfigurationError(
            f"adapter {adapter!r} of {env!r} needs the {module} driver, which is not installed: "
            f"pip install {project_adapter.PIP_PACKAGE}"
        )

    def read(key: str, convert: Callable[[Any], Any], default: Any) -> Any:
        value = values.get(key)
        if value in (None, ""):
            return default
        try:
            return convert(value)
        except ValueError:
            raise ConfigurationError(f"{key} of {env!r} must be {convert.__name__}, not {value!r}") from None

    ssl, iam_auth = read("ssl", boolean, False), read("iam_auth", boolean, False)
    if iam_auth and not ssl:
        raise ConfigurationError(
            f"iam_auth of {env!r} needs ssl: RDS takes IAM tokens over TLS only, "
            "and a token sent in clear could be replayed (set DB_SSL=true)"
        )
    if values["app_username"] == values["username"]:
        raise ConfigurationError(
            f"app_username of {env!r} is the owner's username {values['username']!r}: name another user "
            "(DB_APP_USER), whom the migrations give rights on the data only"
        )
    return DatabaseSettings(
        env=env,
        adapter=adapter,
        host=str(values["host"]),
        port=read("port", int, project_adapter.DEFAULT_PORT),
        username=str(values["username"]),
        password=read("password", str, ""),
        database=str(values["database"]),
        password_secret=read("password_secret", str, None),
        app_username=str(values["app_username"]),
        app_password=read("app_password", str, ""),
        app_password_secret=read("app_password_secret", str, None),
        iam_auth=iam_auth,
        pool=read("pool", int, 1),
        pool_timeout=read("pool_timeout", float, 2.0),
        connect_timeout=read("connect_timeout", int, 3),
        read_timeout=read("read_timeout", seconds, 5.0),
        write_timeout=read("write_timeout", seconds, 5.0),
        ping_after_idle=read("ping_after_idle", float, 60.0),
        migration_lock_timeout=read("migration_lock_timeout", float, 60.0),
        ssl=ssl,
        ssl_ca=read("ssl_ca", project_path, None),
    )


def project_path(value: Any) -> str:
    """A file's path; a relative one is the project's (on Lambda, the function package's)."""
    return str(PROJECT_ROOT / str(value))  # an absolute path stays as it is


def seconds(value: Any) -> float | None:
    """A number of seconds; 0 means no limit."""
    number = float(value)
    if number < 0:
        raise ValueError(value)
    return number or None


def boolean(value: Any) -> bool:
    """true/false, yes/no, on/off or 1/0, as YAML and shells write them."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise ValueError(value)
