"""Personal data at rest (AES-GCM with rotatable keys, keyed-hash index) and staff passwords (argon2id)."""

from __future__ import annotations

import base64
import json
import secrets
from types import SimpleNamespace

import pytest
from cryptography.exceptions import InvalidTag

from corebank.security import passwords
from corebank.security.crypto import FieldCipher, cipher_for, mask

GB_EXAMPLE = "11010519491231002X"


def keys(**named: str) -> str:
    return json.dumps(named)


@pytest.fixture
def key1() -> str:
    return secrets.token_hex(32)


@pytest.fixture
def hash_key() -> str:
    return secrets.token_hex(32)


# ---------------------------------------------------------------- AES-GCM fields


def test_round_trip(key1: str, hash_key: str) -> None:
    c = FieldCipher(keys(k1=key1), hash_key)
    for plain in (GB_EXAMPLE, "13800138000", "张伟 北京市朝阳区", ""):
        token = c.encrypt(plain)
        assert token.startswith("k1:")
        assert plain not in token or plain == ""
        assert c.decrypt(token) == plain


def test_same_value_encrypts_differently_each_time(key1: str, hash_key: str) -> None:
    c = FieldCipher(keys(k1=key1), hash_key)
    a, b = c.encrypt(GB_EXAMPLE), c.encrypt(GB_EXAMPLE)
    assert a != b  # a fresh nonce per encryption: equal values do not show as equal ciphertexts
    assert c.decrypt(a) == c.decrypt(b) == GB_EXAMPLE


def test_key_rotation_keeps_old_ciphertexts_readable(key1: str, hash_key: str) -> None:
    old = FieldCipher(keys(k1=key1), hash_key)
    before = old.encrypt(GB_EXAMPLE)
    rotated = FieldCipher(keys(k1=key1, k2=secrets.token_hex(32)), hash_key)
    after = rotated.encrypt(GB_EXAMPLE)
    assert after.startswith("k2:")  # the newest key encrypts
    assert rotated.decrypt(before) == GB_EXAMPLE  # every known key decrypts
    assert rotated.decrypt(after) == GB_EXAMPLE
    # the old key set cannot read what the new key wrote
    with pytest.raises(KeyError):
        old.decrypt(after)


def test_tampered_ciphertext_is_refused(key1: str, hash_key: str) -> None:
    c = FieldCipher(keys(k1=key1), hash_key)
    kid, _, body = c.encrypt(GB_EXAMPLE).partition(":")
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 0x01
    with pytest.raises(InvalidTag):
        c.decrypt(f"{kid}:{base64.b64encode(bytes(raw)).decode()}")


def test_key_id_is_bound_to_the_ciphertext(key1: str, hash_key: str) -> None:
    # Both ids name the same key bytes: relabelling a token still fails, because the id is authenticated data.
    c = FieldCipher(keys(k1=key1, k2=key1), hash_key)
    token = c.encrypt(GB_EXAMPLE)
    assert token.startswith("k2:")
    with pytest.raises(InvalidTag):
        c.decrypt("k1:" + token.partition(":")[2])


def test_wrong_key_cannot_decrypt(key1: str, hash_key: str) -> None:
    token = FieldCipher(keys(k1=key1), hash_key).encrypt(GB_EXAMPLE)
    with pytest.raises(InvalidTag):
        FieldCipher(keys(k1=secrets.token_hex(32)), hash_key).decrypt(token)


def test_no_keys_refused(hash_key: str) -> None:
    with pytest.raises(ValueError, match="at least one data key"):
        FieldCipher("{}", hash_key)


# ---------------------------------------------------------------- keyed hash index


def test_keyed_hash_is_stable_across_instances_and_rotation(key1: str, hash_key: str) -> None:
    a = FieldCipher(keys(k1=key1), hash_key)
    b = FieldCipher(keys(k1=key1, k2=secrets.token_hex(32)), hash_key)
    assert a.index(GB_EXAMPLE) == b.index(GB_EXAMPLE)
    assert len(a.index(GB_EXAMPLE)) == 64


def test_keyed_hash_normalizes_case_and_outer_spaces(key1: str, hash_key: str) -> None:
    c = FieldCipher(keys(k1=key1), hash_key)
    assert c.index(" 11010519491231002x ") == c.index(GB_EXAMPLE)
    assert c.index("110105194912310021") != c.index(GB_EXAMPLE)


def test_keyed_hash_depends_on_the_hash_key(key1: str, hash_key: str) -> None:
    a = FieldCipher(keys(k1=key1), hash_key)
    b = FieldCipher(keys(k1=key1), secrets.token_hex(32))
    assert a.index(GB_EXAMPLE) != b.index(GB_EXAMPLE)
    # and is not a plain unkeyed digest of the value
    import hashlib

    assert a.index(GB_EXAMPLE) != hashlib.sha256(GB_EXAMPLE.encode()).hexdigest()


def test_cipher_for_is_built_once_per_key_set(key1: str, hash_key: str) -> None:
    s1 = SimpleNamespace(data_keys=keys(k1=key1), hash_key=hash_key)
    s2 = SimpleNamespace(data_keys=keys(k1=key1), hash_key=hash_key)
    s3 = SimpleNamespace(data_keys=keys(k1=secrets.token_hex(32)), hash_key=hash_key)
    assert cipher_for(s1) is cipher_for(s2)
    assert cipher_for(s1) is not cipher_for(s3)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (GB_EXAMPLE, "110***********002X"),
        ("13800138000", "138****8000"),
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_mask_shows_only_the_ends(value: str, masked: str) -> None:
    assert mask(value) == masked


# ---------------------------------------------------------------- passwords


def test_password_hash_is_argon2id_and_verifies() -> None:
    h = passwords.hash_password("Counter-pass-2026")
    assert h.startswith("$argon2id$")
    assert "Counter-pass-2026" not in h
    assert passwords.verify_password(h, "Counter-pass-2026")
    assert not passwords.verify_password(h, "Counter-pass-2027")
    assert not passwords.verify_password(h, "")


def test_same_password_hashes_differently() -> None:
    assert passwords.hash_password("Counter-pass-2026") != passwords.hash_password("Counter-pass-2026")


@pytest.mark.parametrize("stored", ["", "not-a-hash", "$argon2id$v=19$broken"])
def test_garbage_hash_does_not_verify(stored: str) -> None:
    assert passwords.verify_password(stored, "anything-1") is False


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short1", "at least 10"),
        ("abcdefghijkl", "letters and digits"),
        ("123456789012", "letters and digits"),
    ],
)
def test_weak_passwords_refused(password: str, why: str) -> None:
    problem = passwords.check_strength(password)
    assert problem is not None and why in problem


@pytest.mark.parametrize("password", ["Counter-pass-2026", "abcdefghi1", "1234567890a"])
def test_strong_enough_passwords_pass(password: str) -> None:
    assert passwords.check_strength(password) is None


def test_generated_passwords_always_pass_the_strength_check() -> None:
    # A bare 16-character draw from letters+digits is all letters about 6 % of the time; each must still pass.
    generated = [passwords.generate_password() for _ in range(2000)]
    assert all(passwords.check_strength(p) is None for p in generated)
    assert all(len(p) == 16 and p.isalnum() for p in generated)
    assert len(set(generated)) == len(generated)
