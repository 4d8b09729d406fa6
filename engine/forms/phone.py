"""Phone numbers as people write them: "06 12345678", "020-1234567", "+31 6 1234 5678", "0031 6 12345678".

A number is read with libphonenumber's rules for the Netherlands (a national number without country code is
Dutch) and stored in E.164 ("+31612345678"), the form other systems take; pages show it in the notation of
its country ("06 12345678" for a Dutch number).
"""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "NL"


def _parse(text: str):
    try:
        number = phonenumbers.parse(text.strip(), DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalise(text: str) -> str | None:
    """The number in E.164, or None when `text` is not a valid phone number."""
    number = _parse(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if number else None


def readable(text: str) -> str:
    """A stored number as people read it: national notation for a Dutch number, international otherwise."""
    number = _parse(text)
    if number is None:
        return text
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
