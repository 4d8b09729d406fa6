"""Demo users for the embedded demo (`make run`), never for a production configuration."""
import sqlalchemy as sa

from .extensions import db
from .identity.models import User
from .identity.passwords import hash_password

DEMO_PASSWORD = "demo"
DEMO_USERS = [
    ("ambtsdrager.westbetuwe", ["ambtsdrager"], "GM0668", "Wethouder West Betuwe"),
    ("gemeente.westbetuwe", ["gemeente"], "GM0668", "Gemeente West Betuwe (OOV)"),
    ("gemeente.amsterdam", ["gemeente"], "GM0363", "Gemeente Amsterdam (OOV)"),
    ("politie", ["politie"], None, "Politie, Landelijke Eenheid"),
    ("politie.oost", ["politie"], None, "Politie eenheid Oost-Nederland"),
    ("politie.amsterdam", ["politie"], None, "Politie eenheid Amsterdam"),
    ("om", ["om"], None, "Openbaar Ministerie"),
    ("bzk", ["bzk"], None, "Ministerie van BZK"),
    ("ivp", ["ivp"], None, "Instituut voor Psychotrauma"),
    ("procesbeheerder", ["procesbeheerder"], None, "Procesbeheerder"),
    ("beheerder", ["beheerder"], None, "Beheerder"),
    ("privacy", ["privacy"], None, "Functionaris gegevensbescherming"),
]


# The police units of the demo's police users (identity/police_units.py)
DEMO_UNITS = {"politie": "Landelijke Eenheid", "politie.oost": "Oost-Nederland", "politie.amsterdam": "Amsterdam"}


def seed_demo() -> int:
    existing = set(db.session.scalars(sa.select(User.username)))
    password_hash = hash_password(DEMO_PASSWORD)
    created = 0
    for username, roles, municipality, name in DEMO_USERS:
        if username in existing:
            continue
        db.session.add(User(username=username, password_hash=password_hash, roles=roles,
                            municipality_code=municipality, display_name=name, police_unit=DEMO_UNITS.get(username)))
        created += 1
    db.session.commit()
    return created
