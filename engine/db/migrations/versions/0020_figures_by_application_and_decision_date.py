"""the figures row of a threat case: the day its vangnet application was submitted and the day BZK's
decision was recorded, so that the yearly report counts applications by application date and decisions by
decision date (not by the year the threat was reported)

Rows written before this migration get the new values with their case's next step; closed cases, which do
not step again, with `flask --app engine reports rebuild --refresh` (docs/privacy.md).

Revision ID: 0020
Revises: 0019
"""
from alembic import op
import sqlalchemy as sa


revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_COLUMNS = ("applied_on", "decided_on")


def upgrade():
    for name in _COLUMNS:
        op.add_column("case_figures", sa.Column(name, sa.Date(), nullable=True))
        op.create_index(f"ix_case_figures_{name}", "case_figures", [name, "process_id"])


def downgrade():
    # plain DROP COLUMN (SQLite 3.35 and later): a batch copy would lose the table's WITHOUT ROWID layout
    for name in reversed(_COLUMNS):
        op.drop_index(f"ix_case_figures_{name}", table_name="case_figures")
        op.drop_column("case_figures", name)
