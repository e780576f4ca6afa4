"""The naming convention names every column of a constraint, on the real server."""

from sqlalchemy import (
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    inspect,
)

from app.db.engine import build_engine
from app.db.settings import DatabaseSettings
from app.models.base import NAMING_CONVENTION


def test_composite_constraints_are_named_after_all_their_columns(settings: DatabaseSettings) -> None:
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    authors = Table(
        "naming_authors",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("team", Integer, nullable=False),
        Column("code", String(20), nullable=False),
        UniqueConstraint("team", "code"),
        UniqueConstraint("team", "id"),
    )
    Index(None, authors.c.code, authors.c.id)
    Table(
        "naming_books",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("author_team", Integer),
        Column("author_code", String(20)),
        ForeignKeyConstraint(["author_team", "author_code"], ["naming_authors.team", "naming_authors.code"]),
    )
    engine = build_engine(settings)
    metadata.create_all(engine)
    try:
        inspector = inspect(engine)
        unique = {constraint["name"] for constraint in inspector.get_unique_constraints("naming_authors")}
        assert unique == {"uq_naming_authors_team_code", "uq_naming_authors_team_id"}
        indexes = {index["name"] for index in inspector.get_indexes("naming_authors")}
        assert "ix_naming_authors_code_id" in indexes
        (foreign_key,) = inspector.get_foreign_keys("naming_books")
        assert foreign_key["name"] == "fk_naming_books_author_team_author_code_naming_authors"
    finally:
        metadata.drop_all(engine)
        engine.dispose()
