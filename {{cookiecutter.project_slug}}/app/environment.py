"""Which environment the app runs in, and the local .env files that configure it."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ENV = "development"


def app_env() -> str:
    """The environment chosen by APP_ENV (development when unset)."""
    return os.environ.get("APP_ENV") or DEFAULT_ENV


def on_lambda() -> bool:
    """True inside an AWS Lambda execution environment."""
    return "AWS_LAMBDA_FUNCTION_NAME" in os.environ


def load_env_files(env: str, root: Path = PROJECT_ROOT) -> None:
    """Read .env.<env> then .env into os.environ, as Jets does; never on Lambda.

    Variables already set in the process win over both files, and .env.<env> wins over .env.
    """
    if on_lambda():
        return
    files = [path for path in (root / f".env.{env}", root / ".env") if path.is_file()]
    if not files:
        return
    from dotenv import load_dotenv  # local development only: not shipped to Lambda

    for path in files:
        load_dotenv(path, override=False)
