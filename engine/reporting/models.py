"""The figures row of a case: the codes, flags, amounts and dates the yearly report counts, in plain columns.

The case's own variables are sealed with its key (engine/instances/sealed.py), so counting them in SQL is
impossible and opening every case of a year would cost a decryption per case. The report's values are kept
here instead, written with every step of the case (`contributor.FiguresRow`): the same values a purged case
keeps in its tombstone (`vangnet.TOMBSTONE_FIELDS`), no names, addresses, business keys or free text. A
purged case keeps its row, so the figures of a year stay what they were.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.extensions import UTCDateTime, db

CODE = 60  # the longest code kept (longer values are not codes: left out)


class CaseFigures(db.Model):
    __tablename__ = "case_figures"
    # The rows of a process and year lie together (SQLite: a table without rowid, ordered by its key), so a
    # report reads the years it shows in one range, not row by row through an index; a step finds its case's
    # row by the unique index on the case id.
    __table_args__ = (
        sa.Index("ix_case_figures_instance_id", "instance_id", unique=True),
        # the cases list's search by the office holder's role (engine/search)
        sa.Index("ix_case_figures_role_instance", "office_holder_role", "instance_id"),
        # the report counts applications and decisions by the year of their own day
        sa.Index("ix_case_figures_applied_on", "applied_on", "process_id"),
        sa.Index("ix_case_figures_decided_on", "decided_on", "process_id"),
        {"sqlite_with_rowid": False},
    )

    process_id: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)  # of the report, Dutch time
    instance_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    month: Mapped[int] = mapped_column(sa.Integer)
    municipality_code: Mapped[str | None] = mapped_column(sa.String(6))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    report_to_closure_days: Mapped[float | None] = mapped_column(sa.Float)  # set by the database at closure
    # threat_response
    office_holder_role: Mapped[str | None] = mapped_column(sa.String(CODE))
    incident_category: Mapped[str | None] = mapped_column(sa.String(CODE))
    acute_danger: Mapped[bool | None] = mapped_column(sa.Boolean)
    aangifte_status: Mapped[str | None] = mapped_column(sa.String(CODE))
    aangifte_in_time: Mapped[bool | None] = mapped_column(sa.Boolean)
    filing_method: Mapped[str | None] = mapped_column(sa.String(CODE))
    threat_level: Mapped[str | None] = mapped_column(sa.String(CODE))
    measures_advised: Mapped[bool | None] = mapped_column(sa.Boolean)
    advised_measures: Mapped[str | None] = mapped_column(sa.String(1000))  # "|code|code|": grouped in SQL
    costs_borne_by: Mapped[str | None] = mapped_column(sa.String(CODE))
    estimated_costs: Mapped[float | None] = mapped_column(sa.Float)
    compensation_eligible: Mapped[bool | None] = mapped_column(sa.Boolean)
    reason: Mapped[str | None] = mapped_column(sa.String(CODE))
    burden_judged: Mapped[bool | None] = mapped_column(sa.Boolean)
    compensation_requested: Mapped[bool | None] = mapped_column(sa.Boolean)
    requested_amount: Mapped[float | None] = mapped_column(sa.Float)
    compensation_decision: Mapped[str | None] = mapped_column(sa.String(CODE))
    granted_amount: Mapped[float | None] = mapped_column(sa.Float)
    paid_amount: Mapped[float | None] = mapped_column(sa.Float)  # paid by BZK on the declarations of a grant
    application_to_decision_days: Mapped[float | None] = mapped_column(sa.Float)
    applied_on: Mapped[date | None] = mapped_column(sa.Date)  # the application submitted, Dutch day
    decided_on: Mapped[date | None] = mapped_column(sa.Date)  # BZK's decision recorded, Dutch day
    ivp_referred: Mapped[bool | None] = mapped_column(sa.Boolean)
    ivp_first_contact_in_time: Mapped[bool | None] = mapped_column(sa.Boolean)
    ivp_contact_escalated: Mapped[bool | None] = mapped_column(sa.Boolean)
    vertrouwenslijn_referred: Mapped[bool | None] = mapped_column(sa.Boolean)
    # democratic_disruption_registration
    art124: Mapped[bool | None] = mapped_column(sa.Boolean)
    om_decision: Mapped[str | None] = mapped_column(sa.String(CODE))
    case_outcome: Mapped[str | None] = mapped_column(sa.String(CODE))
    sr_articles: Mapped[str | None] = mapped_column(sa.String(200))  # "|121|124|": counted per article
    registration_state: Mapped[str | None] = mapped_column(sa.String(CODE))  # derive.registration_state
    om_registered_on: Mapped[date | None] = mapped_column(sa.Date)  # the OM's registration: the letter's year
    threat_case_linked: Mapped[bool | None] = mapped_column(sa.Boolean)
