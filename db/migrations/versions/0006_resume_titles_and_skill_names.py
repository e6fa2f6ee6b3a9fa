"""resume_results.current_title and canonical_skills: the headline title, and the taxonomy names of the skills

``skills`` holds each skill as the résumé words it (parser 2.0 and later); ``canonical_skills`` the distinct
taxonomy entries they name, for joins across candidates and postings.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT_LIST = sa.JSON().with_variant(ARRAY(sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("resume_results") as table:
        table.add_column(sa.Column("current_title", sa.String(300), nullable=True))
        table.add_column(sa.Column("canonical_skills", TEXT_LIST, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("resume_results") as table:
        table.drop_column("canonical_skills")
        table.drop_column("current_title")
