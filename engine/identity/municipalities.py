"""The Dutch municipalities by CBS code: their names, safety regions and police units
(`municipalities.csv`, with its source and date in its header)."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).with_name("municipalities.csv")


@lru_cache(maxsize=1)
def municipalities() -> dict:
    """{code: {code, name, safety_region, unit}}"""
    lines = [line for line in _DATA.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return {row["code"]: row for row in csv.DictReader(lines)}


def municipality_name(code: str | None) -> str | None:
    row = municipalities().get((code or "").strip().upper())
    return row["name"] if row else None


def municipality_label(code: str | None) -> str:
    """ "Name (GM0000)" for a page; the code alone when the list does not know it."""
    if not code:
        return "–"
    name = municipality_name(code)
    return f"{name} ({code})" if name else code


def cbs_municipalities() -> list:
    """[{code, name}] of every municipality in the shipped list, by code: what a diagram script may read
    (`cbs_municipalities()`, e.g. the toolkit roll-out to every burgemeester)."""
    return [{"code": code, "name": row["name"]} for code, row in sorted(municipalities().items())]
