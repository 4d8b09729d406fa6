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
# Sub-roles: who within an organisation handles a case (`case_routing`). A sub-role written `parent.name`
# implies its parent role (a griffie user is a gemeente user), except the driehoek members below.
GRIFFIE = "gemeente.griffie"
SECRETARIS = "gemeente.secretaris"
OOV = "gemeente.oov"
BURGEMEESTER = "gemeente.burgemeester"
LOCOBURGEMEESTER = "gemeente.locoburgemeester"
HOOFDOFFICIER = "om.hoofdofficier"

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
    GRIFFIE: "Griffie (behandelt zaken van raadsleden en commissieleden) / council clerk's office",
    SECRETARIS: "Gemeentesecretaris (behandelt zaken van collegeleden) / municipal secretary",
    OOV: "Adviseur openbare orde en veiligheid (coördineert elke zaak) / public order and safety adviser",
    BURGEMEESTER: "Burgemeester als lid van de driehoek / the mayor as member of the local triangle",
    LOCOBURGEMEESTER: "Locoburgemeester (in de driehoek als de burgemeester zelf bedreigd is) / deputy mayor",
    HOOFDOFFICIER: "Hoofdofficier van justitie (beslist over persoonsbeveiliging) / chief public prosecutor",
}

# The driehoek members act as bestuurders, not as officials of the gemeente: they do not hold the gemeente
# role, so they see a case only through a task of theirs and never get the gemeente's tasks (a threatened
# burgemeester must not handle their own case).
DRIEHOEK_MEMBERS = frozenset({BURGEMEESTER, LOCOBURGEMEESTER})
IMPLIED = {GRIFFIE: GEMEENTE, SECRETARIS: GEMEENTE, OOV: GEMEENTE, HOOFDOFFICIER: OM}

# Roles whose users act for one municipality: they need a municipality code and see only its cases.
MUNICIPAL_ROLES = frozenset({AMBTSDRAGER, GEMEENTE, GRIFFIE, SECRETARIS, OOV, BURGEMEESTER, LOCOBURGEMEESTER})
# Roles that may read fields marked sensitive (home address, family, measures at home).
SENSITIVE_READERS = frozenset({AMBTSDRAGER, GEMEENTE, POLITIE})
# Roles that get only what their part needs: they read a form field only when its readers name them (the
# IVP its referral, BZK the compensation file, the OM its registration), never by default.
NEED_TO_KNOW = frozenset({IVP, BZK, OM, HOOFDOFFICIER})


def effective_roles(roles) -> frozenset:
    """A user's roles with the parent roles their sub-roles imply."""
    roles = frozenset(roles or ())
    return roles | {IMPLIED[r] for r in roles if r in IMPLIED}


def readers_of(key: str, field_readers: dict, sensitive_keys, form_keys) -> frozenset | None:
    """Who reads a case variable: the readers its form field names; else the sensitive readers for a
    sensitive one; else, for any other form field, every role but the need-to-know ones; None (every role
    that sees the case) for a variable no form asks for (derived by the process)."""
    named = field_readers.get(key)
    if named is not None:
        return frozenset(named)
    if key in sensitive_keys:
        return SENSITIVE_READERS
    if key in form_keys:
        return frozenset(ROLES) - NEED_TO_KNOW - {PRIVACY}  # the privacy officer reads no case data
    return None


def normalise_role(name: str | None) -> str | None:
    """A role from a lane name or candidate group: case-insensitive, 'Gemeente' -> 'gemeente'."""
    if not name:
        return None
    key = name.strip().lower()
    return key if key in ROLES else None
