"""The roles of the threat response and which of them belong to one municipality."""

AMBTSDRAGER = "ambtsdrager"
GEMEENTE = "gemeente"
POLITIE = "politie"
OM = "om"
BZK = "bzk"
IVP = "ivp"
PROCESBEHEERDER = "procesbeheerder"
BEHEERDER = "beheerder"
PRIVACY = "privacy"

ROLES = {
    AMBTSDRAGER: "Ambtsdrager (burgemeester, wethouder, raadslid) / office holder",
    GEMEENTE: "Gemeente (werkgever) / municipality as employer",
    POLITIE: "Politie / police",
    OM: "Openbaar Ministerie / public prosecution",
    BZK: "Ministerie van BZK / Ministry of the Interior",
    IVP: "Instituut voor Psychotrauma / psychosocial support",
    PROCESBEHEERDER: "Procesbeheerder / process owner",
    BEHEERDER: "Beheerder / administrator",
    PRIVACY: "Functionaris gegevensbescherming / data protection officer (reads the read log, no case data)",
}

# Roles whose users act for one municipality: they need a municipality code and see only its cases.
MUNICIPAL_ROLES = frozenset({AMBTSDRAGER, GEMEENTE})
# Roles that may read fields marked sensitive (home address, family, measures at home).
SENSITIVE_READERS = frozenset({AMBTSDRAGER, GEMEENTE, POLITIE})


def normalise_role(name: str | None) -> str | None:
    """A role from a lane name or candidate group: case-insensitive, 'Gemeente' -> 'gemeente'."""
    if not name:
        return None
    key = name.strip().lower()
    return key if key in ROLES else None
