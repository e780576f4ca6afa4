"""The adapter this project is built for, as database.yml and DATABASE_URL name it: MySQL."""

ADAPTER = "mysql"  # database.yml's adapter
URL_SCHEMES = ("mysql", "mysql2")  # DATABASE_URL schemes, as Rails and Heroku write them
SQLALCHEMY_DRIVER = "mysql+pymysql"
DBAPI_MODULE = "pymysql"
PIP_PACKAGE = "PyMySQL"
DEFAULT_PORT = 3306
