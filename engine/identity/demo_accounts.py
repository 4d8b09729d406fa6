"""The accounts of the embedded demo (`make run`, the tests): created by `flask seed-demo` with VB_DEMO=1 only,
and refused at sign-in outside demo mode while they still have the demo password (`service.authenticate`)."""

DEMO_PASSWORD = "demo"
DEMO_USERS = [
    ("ambtsdrager.westbetuwe", ["ambtsdrager"], "GM0668", "Wethouder West Betuwe"),
    ("gemeente.westbetuwe", ["gemeente", "gemeente.oov"], "GM0668", "Gemeente West Betuwe (OOV)"),
    ("griffie.westbetuwe", ["gemeente.griffie"], "GM0668", "Griffie West Betuwe"),
    ("secretaris.westbetuwe", ["gemeente.secretaris"], "GM0668", "Gemeentesecretaris West Betuwe"),
    ("burgemeester.westbetuwe", ["ambtsdrager", "gemeente.burgemeester"], "GM0668", "Burgemeester West Betuwe"),
    ("locoburgemeester.westbetuwe", ["gemeente.locoburgemeester"], "GM0668", "Locoburgemeester West Betuwe"),
    ("gemeente.amsterdam", ["gemeente", "gemeente.oov"], "GM0363", "Gemeente Amsterdam (OOV)"),
    ("politie", ["politie"], None, "Politie, Landelijke Eenheid"),
    ("politie.oost", ["politie"], None, "Politie eenheid Oost-Nederland"),
    ("politie.amsterdam", ["politie"], None, "Politie eenheid Amsterdam"),
    ("om", ["om"], None, "Openbaar Ministerie"),
    ("hoofdofficier", ["om.hoofdofficier"], None, "Hoofdofficier van justitie"),
    ("bzk", ["bzk"], None, "Ministerie van BZK"),
    ("ivp", ["ivp"], None, "Instituut voor Psychotrauma"),
    ("procesbeheerder", ["procesbeheerder"], None, "Procesbeheerder"),
    ("beheerder", ["beheerder"], None, "Beheerder"),
    ("privacy", ["privacy"], None, "Functionaris gegevensbescherming"),
]


# The police units of the demo's police users (identity/police_units.py)
DEMO_UNITS = {"politie": "Landelijke Eenheid", "politie.oost": "Oost-Nederland", "politie.amsterdam": "Amsterdam"}

DEMO_USERNAMES = frozenset(username for username, *_ in DEMO_USERS)


def demo_email(username: str) -> str:
    """A demo user's address: example.org is reserved (RFC 2606), so a demo mail never reaches anyone."""
    return f"{username}@example.org"
