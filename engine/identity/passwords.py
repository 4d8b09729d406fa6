"""Password hashing with Argon2id (argon2-cffi's recommended parameters)."""

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..core.errors import Unprocessable

_HASHER = PasswordHasher()
# Verified against when the username does not exist, so that both cases take the same time.
_DUMMY_HASH = _HASHER.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


MIN_PASSWORD_LENGTH = 12
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def _common() -> frozenset:
    lines = _COMMON_FILE.read_text().splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def check_password_policy(password: str, username: str = "") -> None:
    """At least 12 characters, not a common password, not the username, not one character repeated."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Unprocessable(
            f"A password has at least {MIN_PASSWORD_LENGTH} characters.", errors={"password": ["Too short."]}
        )
    lowered = password.lower()
    if lowered in _common() or len(set(lowered)) == 1:
        raise Unprocessable(
            "This password is too common; choose another (a few unrelated words work well).",
            errors={"password": ["Too common."]},
        )
    if username and username.lower() in lowered:
        raise Unprocessable("A password may not contain the username.", errors={"password": ["Contains the username."]})
