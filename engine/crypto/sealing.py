"""Sealing bytes with AES-256-GCM. A sealed value is MAGIC + 12-byte nonce + ciphertext and tag.

The associated data binds a value to where it belongs (the case and the column): a sealed state copied into
another case, or into another column, does not open.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"VB1"
_NONCE = 12


class SealBroken(ValueError):
    """A sealed value that does not open with its key (a wrong key, or changed bytes)."""


def seal(key: bytes | AESGCM, plaintext: bytes, context: bytes) -> bytes:
    cipher = key if isinstance(key, AESGCM) else AESGCM(key)
    nonce = os.urandom(_NONCE)
    return MAGIC + nonce + cipher.encrypt(nonce, plaintext, context)


def is_sealed(value: bytes | None) -> bool:
    return value is not None and bytes(value[:3]) == MAGIC


def unseal(key: bytes | AESGCM, sealed: bytes, context: bytes) -> bytes:
    cipher = key if isinstance(key, AESGCM) else AESGCM(key)
    sealed = bytes(sealed)
    try:
        return cipher.decrypt(sealed[3 : 3 + _NONCE], sealed[3 + _NONCE :], context)
    except InvalidTag:
        raise SealBroken("The value does not open with its key.") from None
