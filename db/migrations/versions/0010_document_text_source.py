"""documents.text_source and ocr_confidence: which reader gave a document's text, and how sure OCR was

A scan's text is read by OCR and can be wrong where a text layer cannot: consumers see it on the row
(``text_source = 'ocr'``, ``ocr_confidence`` the recogniser's mean score, 0 to 1) and can send such
résumés to a person.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


READER = "talentq_reader"  # 0004; since 0008 it reads chosen columns of documents only, so new ones are granted


def upgrade() -> None:
    with op.batch_alter_table("documents") as table:
        table.add_column(sa.Column("text_source", sa.String(16), nullable=True))
        table.add_column(sa.Column("ocr_confidence", sa.Float(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT (text_source, ocr_confidence) ON documents TO {READER}")


def downgrade() -> None:
    with op.batch_alter_table("documents") as table:
        table.drop_column("ocr_confidence")
        table.drop_column("text_source")
