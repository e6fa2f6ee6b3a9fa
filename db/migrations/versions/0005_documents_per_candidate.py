"""documents unique per (candidate, content hash), not per content hash

Two candidates who upload the same file used to share one document row, so erasing one of them
took the other's document and results with it. Each candidate now gets their own copy: existing
applications that point at another candidate's document get a copy of it (parsed again on the
next run) before the constraint changes.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite reflects the unnamed constraint of 0001 without a name: batch mode names it by this convention.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
OLD_UNIQUE = {"postgresql": "documents_content_hash_key", "sqlite": "uq_documents_content_hash"}
NEW_UNIQUE = "documents_candidate_id_content_hash_key"  # PostgreSQL's own name for the model's constraint
COLUMNS = "filename, content_hash, size_bytes, content, text, text_hash, created_at, updated_at"

# A copy of the document for every candidate whose application points at someone else's document.
COPY_SHARED = f"""
INSERT INTO documents (candidate_id, {COLUMNS})
SELECT DISTINCT a.candidate_id, {", ".join("d." + c.strip() for c in COLUMNS.split(","))}
FROM applications a JOIN documents d ON d.id = a.document_id
WHERE d.candidate_id IS NULL OR d.candidate_id <> a.candidate_id
"""
REPOINT = """
UPDATE applications SET document_id = (
    SELECT own.id FROM documents own, documents shared
    WHERE shared.id = applications.document_id
      AND own.candidate_id = applications.candidate_id AND own.content_hash = shared.content_hash
)
WHERE document_id IN (
    SELECT d.id FROM documents d
    WHERE d.candidate_id IS NULL OR d.candidate_id <> applications.candidate_id
)
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("documents", naming_convention=NAMING) as batch:
        batch.drop_constraint(OLD_UNIQUE[dialect], type_="unique")
        batch.create_unique_constraint(NEW_UNIQUE, ["candidate_id", "content_hash"])
        batch.create_index("ix_documents_content_hash", ["content_hash"])
    op.execute(sa.text(COPY_SHARED))
    op.execute(sa.text(REPOINT))


def downgrade() -> None:
    # Copies of one file would break the old constraint: keep the lowest id per content hash.
    op.execute(
        sa.text(
            "UPDATE applications SET document_id = (SELECT min(d2.id) FROM documents d1, documents d2 "
            "WHERE d1.id = applications.document_id AND d2.content_hash = d1.content_hash) "
            "WHERE document_id IS NOT NULL"
        )
    )
    op.execute(sa.text("DELETE FROM documents WHERE id NOT IN (SELECT min(id) FROM documents GROUP BY content_hash)"))
    with op.batch_alter_table("documents", naming_convention=NAMING) as batch:
        batch.drop_index("ix_documents_content_hash")
        batch.drop_constraint(NEW_UNIQUE, type_="unique")
        batch.create_unique_constraint(OLD_UNIQUE[op.get_bind().dialect.name], ["content_hash"])
