"""the read log: who read which case's personal data

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trace_id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=60), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("activity", sa.String(length=60), nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index("ix_access_log_instance_id_at", "access_log", ["instance_id", "at"], unique=False)
    op.create_index("ix_access_log_username_at", "access_log", ["username", "at"], unique=False)


def downgrade():
    op.drop_index("ix_access_log_username_at", table_name="access_log")
    op.drop_index("ix_access_log_instance_id_at", table_name="access_log")
    op.drop_table("access_log")
