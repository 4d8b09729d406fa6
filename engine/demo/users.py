"""Demo users for the embedded demo (`make run`), never for a production configuration."""

import sqlalchemy as sa

from ..db.extensions import db
from ..identity.demo_accounts import DEMO_PASSWORD, DEMO_UNITS, DEMO_USERS, demo_email
from ..identity.models import User
from ..identity.passwords import hash_password


def seed_demo() -> int:
    existing = set(db.session.scalars(sa.select(User.username)))
    password_hash = hash_password(DEMO_PASSWORD)
    created = 0
    for username, roles, municipality, name in DEMO_USERS:
        if username in existing:
            continue
        db.session.add(
            User(
                username=username,
                password_hash=password_hash,
                roles=roles,
                municipality_code=municipality,
                display_name=name,
                police_unit=DEMO_UNITS.get(username),
                email=demo_email(username),
            )
        )
        created += 1
    db.session.commit()
    return created
