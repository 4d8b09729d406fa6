"""case state: lz4 compression on PostgreSQL

A case's serialized state (tens of kilobytes of JSON) is written on every step; PostgreSQL compresses it
out of line (TOAST). lz4 compresses it to about the same size as the default pglz at about half the server
CPU per write. Only where the server was built with lz4 (PostgreSQL 14+); SQLite is unchanged. Rows keep
the compression they were written with until their next step.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _lz4_available(bind) -> bool:
    if bind.dialect.name != "postgresql":
        return False
    return bool(bind.execute(sa.text(
        "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
    )).scalar())


def upgrade():
    if _lz4_available(op.get_bind()):
        op.execute("ALTER TABLE process_instance ALTER COLUMN state SET COMPRESSION lz4")


def downgrade():
    if _lz4_available(op.get_bind()):
        op.execute("ALTER TABLE process_instance ALTER COLUMN state SET COMPRESSION default")
