"""The app's models. Import every model here so that Base.metadata knows its table."""

from {{ cookiecutter.package_name }}.models.base import Base
from {{ cookiecutter.package_name }}.models.post import Post

__all__ = ["Base", "Post"]
