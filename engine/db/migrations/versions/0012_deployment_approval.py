"""four eyes: deployments that lower the protection of case data wait for a second person's approval

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "deployment_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_key", sa.String(length=64), nullable=False),
        sa.Column("processes", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("deployment_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployment_approval")),
    )
    op.create_index(op.f("ix_deployment_approval_change_key"), "deployment_approval", ["change_key"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_deployment_approval_change_key"), table_name="deployment_approval")
    op.drop_table("deployment_approval")
