"""The adapter this project is built for, as database.yml and DATABASE_URL name it: PostgreSQL."""

ADAPTER = "postgresql"  # database.yml's adapter
URL_SCHEMES = ("postgresql", "postgres")  # DATABASE_URL schemes, as Rails and Heroku write them
SQLALCHEMY_DRIVER = "postgresql+psycopg2"
DBAPI_MODULE = "psycopg2"
PIP_PACKAGE = "psycopg2-binary"
DEFAULT_PORT = 5432
