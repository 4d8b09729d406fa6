"""case data at rest: a wrapped data key per case, sealed state and copies, retention and legal hold

The case state, the derived variables, buffered message payloads and webhook bodies become binary (sealed
with AES-256-GCM under the case's data key, docs/privacy.md). On PostgreSQL the text columns are converted to
bytea; SQLite keeps its columns (a BLOB is stored as it is whatever the declared type). Rows written before
this migration stay readable as plain text until their next save seals them (`flask keys seal-existing`
seals them all at once).

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TO_BINARY = (("process_instance", "state"), ("process_instance", "variables"), ("message_buffer", "payload"),
              ("webhook_delivery", "body"), ("webhook_outbound", "body"))


def upgrade():
    op.create_table(
        "case_key",
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("kek_id", sa.String(length=16), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("owner_id", name=op.f("pk_case_key")),
    )
    op.create_index(op.f("ix_case_key_kek_id"), "case_key", ["kek_id"], unique=False)
    with op.batch_alter_table("process_instance") as batch:
        batch.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("purge_reason", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("legal_hold", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("tombstone", sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        for table, column in _TO_BINARY:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE bytea "
                       f"USING convert_to({column}::text, 'UTF8')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, column in _TO_BINARY:
            kind = "json" if column in ("variables", "payload") else "text"
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {kind} "
                       f"USING convert_from({column}, 'UTF8')::{kind}")
    with op.batch_alter_table("process_instance") as batch:
        for column in ("tombstone", "legal_hold", "purge_reason", "purged_at"):
            batch.drop_column(column)
    op.drop_index(op.f("ix_case_key_kek_id"), table_name="case_key")
    op.drop_table("case_key")
