"""The regional police units and the municipalities each covers (`municipalities.csv`, with its source).

A police user belongs to one unit: a regional unit sees and works the cases and tasks of its municipalities
only; the national unit (and a police user without a unit, as before units existed) sees them all."""

from __future__ import annotations

from functools import cache

from .municipalities import municipalities

NATIONAL = "Landelijke Eenheid"
REGIONAL = (
    "Noord-Nederland",
    "Oost-Nederland",
    "Midden-Nederland",
    "Noord-Holland",
    "Amsterdam",
    "Den Haag",
    "Rotterdam",
    "Zeeland-West-Brabant",
    "Oost-Brabant",
    "Limburg",
)
UNITS = REGIONAL + (NATIONAL,)


def unit_of(municipality_code: str | None) -> str | None:
    row = municipalities().get((municipality_code or "").upper())
    return row["unit"] if row else None


@cache
def municipalities_of(unit: str) -> frozenset:
    return frozenset(code for code, row in municipalities().items() if row["unit"] == unit)


def restricts(unit: str | None) -> bool:
    """Whether a police user of this unit sees only some municipalities."""
    return bool(unit) and unit != NATIONAL
