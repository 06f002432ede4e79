"""Personal data at rest: AES-GCM with the key id beside the ciphertext, and a keyed hash to find it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class FieldCipher:
    """Encrypts single fields (ID numbers, phones). Keys are rotatable: the newest encrypts, all decrypt."""

    def __init__(self, data_keys_json: str, hash_key_hex: str):
        keys = json.loads(data_keys_json)
        if not keys:
            raise ValueError("at least one data key is needed")
        self._keys = {kid: AESGCM(bytes.fromhex(k)) for kid, k in keys.items()}
        self._active = list(keys)[-1]
        self._hash_key = bytes.fromhex(hash_key_hex)

    def encrypt(self, plain: str) -> str:
        """`kid:base64(nonce || ciphertext)`."""
        nonce = os.urandom(12)
        ct = self._keys[self._active].encrypt(nonce, plain.encode(), self._active.encode())
        return f"{self._active}:{base64.b64encode(nonce + ct).decode()}"

    def decrypt(self, token: str) -> str:
        """The plain text of a token made by `encrypt` under any known key."""
        kid, _, body = token.partition(":")
        raw = base64.b64decode(body)
        return self._keys[kid].decrypt(raw[:12], raw[12:], kid.encode()).decode()

    def index(self, plain: str) -> str:
        """A keyed hash (HMAC-SHA256) to look the value up without decrypting every row."""
        return hmac.new(self._hash_key, plain.strip().upper().encode(), hashlib.sha256).hexdigest()


def mask(value: str, keep_start: int = 3, keep_end: int = 4) -> str:
    """Show only the ends of a sensitive value, e.g. 110***********1234."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


_ciphers: dict[tuple[str, str], FieldCipher] = {}


def cipher_for(settings: object) -> FieldCipher:
    """The field cipher for the settings' keys (built once per key set)."""
    keys, hkey = getattr(settings, "data_keys", ""), getattr(settings, "hash_key", "")
    c = _ciphers.get((keys, hkey))
    if c is None:
        c = _ciphers[(keys, hkey)] = FieldCipher(keys, hkey)
    return c
