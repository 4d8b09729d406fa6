"""The key-encryption keys (KEKs): read from VB_MASTER_KEY or VB_MASTER_KEY_FILE, never stored in the database.

A setting holds one or more base64-encoded 256-bit keys separated by commas. The first wraps new data keys;
all of them unwrap existing ones, so a rotation can put a new key first and keep the old one until
`flask keys rotate` has re-wrapped every data key. A key's id is derived from the key itself (the first 16 hex
digits of its SHA-256): the id stored beside a wrapped key says which KEK it needs without revealing it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..core.config import instance_secret_file

KEY_BYTES = 32


class KeyringError(RuntimeError):
    """The configured keys cannot be used (missing, malformed); the message says what to fix."""


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


@dataclass(frozen=True)
class Keyring:
    active_id: str
    keys: dict  # key id -> 32 key bytes

    @property
    def active(self) -> bytes:
        return self.keys[self.active_id]

    def ids(self) -> list[str]:
        return list(self.keys)


def parse_keys(text: str, where: str) -> Keyring:
    keys: dict = {}
    for number, part in enumerate(p.strip() for p in text.replace("\n", ",").split(",")):
        if not part:
            continue
        try:
            key = base64.b64decode(part, validate=True)
        except (binascii.Error, ValueError):
            raise KeyringError(f"{where}: key {number + 1} is not valid base64.") from None
        if len(key) != KEY_BYTES:
            raise KeyringError(
                f"{where}: key {number + 1} has {len(key)} bytes; a key has {KEY_BYTES} "
                f'(generate one with: python -c "import os,base64;'
                f'print(base64.b64encode(os.urandom(32)).decode())").'
            )
        keys.setdefault(key_id(key), key)
    if not keys:
        raise KeyringError(f"{where} holds no key.")
    return Keyring(next(iter(keys)), keys)


def new_key_text() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


def demo_key_file(instance_path: Path) -> Path:
    """The key of the embedded demo (`make run`) and the tests: instance/master.key, created once."""
    return instance_secret_file(instance_path / "master.key", new_key_text)


def load_keyring(key_text: str | None, key_file: str | None, fallback_file: Path | None) -> Keyring:
    """The keyring of the settings. `fallback_file`: the demo's key file, used only when neither setting is
    given (demo and tests); None outside them, where a missing key refuses to start."""
    if key_text:
        return parse_keys(key_text, "VB_MASTER_KEY")
    if key_file:
        try:
            return parse_keys(Path(key_file).read_text(), f"VB_MASTER_KEY_FILE ({key_file})")
        except OSError as error:
            raise KeyringError(f"VB_MASTER_KEY_FILE ({key_file}) cannot be read: {error.strerror}.") from None
    if fallback_file is not None:
        return parse_keys(fallback_file.read_text(), str(fallback_file))
    raise KeyringError(
        "No key-encryption key: set VB_MASTER_KEY (base64 of 32 random bytes) or VB_MASTER_KEY_FILE (a file "
        "holding it). The case data is encrypted under it; see docs/privacy.md#key-management."
    )
