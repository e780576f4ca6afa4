"""add_author_to_posts

Revision ID: 20261206000000
Revises: 20260101000000
Create Date: 2026-12-06 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206000000"
down_revision: str | None = "20260101000000"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("posts", sa.Column("author", sa.String(length=2048), nullable=True))


def downgrade() -> None:
    op.drop_column("posts", "author")
