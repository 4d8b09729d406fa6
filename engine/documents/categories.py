"""The categories of case documents and the roles that may read each: the one place this is decided.

A user reads a document when they may see its case (access/policy.py) and one of their roles reads its
category. Overseers (beheerder, procesbeheerder) and the privacy officer read no document content, as they
read no sensitive case data, with one exception: the final report of an evaluation, which holds aggregates
under disclosure control and no case data (the administrator reads the same figures in the yearly report).
docs/documents.md explains each choice.
"""

from __future__ import annotations

from ..identity.roles import AMBTSDRAGER, BEHEERDER, BZK, GEMEENTE, IVP, OM, POLITIE

GENERAL = "algemeen"
EVALUATION = "evaluatie"

READERS = {
    GENERAL: frozenset({AMBTSDRAGER, GEMEENTE, POLITIE, OM}),  # correspondence, photos of the threat
    "politieadvies": frozenset({GEMEENTE, POLITIE, OM}),  # the police advice letter to the mayor
    "aangifte": frozenset({AMBTSDRAGER, GEMEENTE, POLITIE, OM}),  # the receipt of the police report
    "driehoek": frozenset({GEMEENTE, POLITIE, OM}),  # minutes of the driehoek
    "kosten": frozenset({AMBTSDRAGER, GEMEENTE, BZK}),  # quote or invoice of security measures
    "ondersteuning": frozenset({AMBTSDRAGER, GEMEENTE, IVP}),  # the psychosocial support referral
    EVALUATION: frozenset({BZK, BEHEERDER}),  # the final report of an evaluation (PDF)
}

# Categories of the documents the engine makes itself: read as any other, never uploaded (a user could
# otherwise file case data under a category its readers should only find aggregates in).
GENERATED = frozenset({EVALUATION})

# The category of a document uploaded in a form field, by the form's process (the vangnet's quote).
FORM_FIELD_CATEGORY = {"bzk_compensation": "kosten"}


def readable_by(roles) -> list[str]:
    return [name for name, readers in READERS.items() if readers & set(roles)]


def uploadable_by(roles) -> list[str]:
    return [name for name in readable_by(roles) if name not in GENERATED]


def may_read(roles, category: str) -> bool:
    return bool(READERS.get(category, frozenset()) & set(roles))
