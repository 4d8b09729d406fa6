"""a police user's unit: a regional unit sees only the cases of its municipalities

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("police_unit", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("police_unit")
