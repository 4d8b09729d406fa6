"""the figures row of a case: the plain codes, flags and amounts the yearly report counts in SQL

Cases saved before this migration get their row with their next step, or all at once with
`flask --app engine reports rebuild` (docs/privacy.md).

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_CODES = ("office_holder_role", "incident_category", "aangifte_status", "filing_method", "threat_level",
          "costs_borne_by", "reason", "compensation_decision", "om_decision", "case_outcome")
_FLAGS = ("acute_danger", "aangifte_in_time", "measures_advised", "compensation_eligible", "burden_judged",
          "compensation_requested", "ivp_referred", "ivp_first_contact_in_time", "ivp_contact_escalated",
          "vertrouwenslijn_referred", "art124")
_NUMBERS = ("report_to_closure_days", "estimated_costs", "requested_amount", "granted_amount", "application_to_decision_days")


def upgrade():
    op.create_table(
        "case_figures",
        sa.Column("process_id", sa.String(length=200), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("instance_id", sa.String(length=36), primary_key=True),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.String(length=6), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("advised_measures", sa.String(length=1000), nullable=True),
        *(sa.Column(name, sa.String(length=60), nullable=True) for name in _CODES),
        *(sa.Column(name, sa.Boolean(), nullable=True) for name in _FLAGS),
        *(sa.Column(name, sa.Float(), nullable=True) for name in _NUMBERS),
        sqlite_with_rowid=False,  # the rows of a year together (see engine/reporting/models.py)
    )
    op.create_index("ix_case_figures_instance_id", "case_figures", ["instance_id"], unique=True)


def downgrade():
    op.drop_index("ix_case_figures_instance_id", table_name="case_figures")
    op.drop_table("case_figures")
