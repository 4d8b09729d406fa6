"""the figures row of a threat case: the amount BZK paid on the declarations of a grant, beside the amount
granted, so that the evaluation can count what was paid

Rows written before this migration get the amount with their case's next step.

Revision ID: 0021
Revises: 0020
"""
from alembic import op
import sqlalchemy as sa


revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("case_figures", sa.Column("paid_amount", sa.Float(), nullable=True))


def downgrade():
    # plain DROP COLUMN (SQLite 3.35 and later): a batch copy would lose the table's WITHOUT ROWID layout
    op.drop_column("case_figures", "paid_amount")
