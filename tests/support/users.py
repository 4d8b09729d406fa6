"""Extra users for tests, with a short known password as the demo users have (set as a hash, as `seed_demo`
does: the password policy is for people choosing passwords, and is tested on its own)."""

from __future__ import annotations

from engine.db.extensions import db
from engine.identity.passwords import hash_password
from engine.identity.service import create_user


def create_test_user(
    username: str, roles: list, municipality: str | None = None, display_name: str = "", password: str = "demo"
):
    user = create_user(username, "test-only-placeholder-passphrase", roles, municipality, display_name or username)
    user.password_hash = hash_password(password)
    db.session.commit()
    return user
