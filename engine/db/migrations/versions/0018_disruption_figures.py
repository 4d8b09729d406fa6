"""the figures row of a disruption registration: its articles, its state, the OM's registration date and
whether it is linked to a threat case, so that registrations are counted per article, year and state

Rows written before this migration get the new values with their case's next step.

Revision ID: 0018
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_COLUMNS = (("sr_articles", sa.String(length=200)), ("registration_state", sa.String(length=60)),
            ("om_registered_on", sa.Date()), ("threat_case_linked", sa.Boolean()))


def upgrade():
    for name, kind in _COLUMNS:
        op.add_column("case_figures", sa.Column(name, kind, nullable=True))


def downgrade():
    # plain DROP COLUMN (SQLite 3.35 and later): a batch copy would lose the table's WITHOUT ROWID layout
    for name, _kind in reversed(_COLUMNS):
        op.drop_column("case_figures", name)
