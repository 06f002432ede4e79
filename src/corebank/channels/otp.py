"""One-time codes: made, sent, stored as a keyed hash, proved once.

Every code belongs to a challenge (`ebank_challenges`): an online enrollment, a login's second factor, a
transaction signature or switching TOTP off. A challenge lives `settings.otp_ttl_seconds`, allows
`settings.otp_max_attempts` wrong codes before it is void, and is used at most once (a conditional update, so
two requests racing with the same code cannot both win). SMS codes are kept only as an HMAC under a key derived
from `settings.hash_key`; TOTP codes (RFC 6238, pyotp) are checked against the login's encrypted secret, and each
accepted time step is recorded so that the same code cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
from sqlalchemy import select, update

from corebank.channels import sms
from corebank.channels.identity_errors import OtpExpired, OtpInvalid, OtpUsed
from corebank.channels.identity_models import EbankChallenge, EbankLogin, EbankTotpUse
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CoreBankError
from corebank.security import cipher_for

TOTP_DIGITS = 6  # what authenticator apps show; SMS codes follow settings.otp_digits
TOTP_WINDOW = 1  # one 30-second step either side, for phones whose clocks drift


def aware(at: datetime) -> datetime:
    """`at` as an aware UTC timestamp (SQLite hands timestamps back without their zone)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _key(settings: Any, label: str) -> bytes:
    # One key per use, derived from the bank's hash key: a hash made for one purpose proves nothing elsewhere.
    return hmac.new(bytes.fromhex(settings.hash_key), f"corebank/{label}".encode(), hashlib.sha256).digest()


def keyed_hash(settings: Any, label: str, value: str) -> str:
    """HMAC-SHA256 of `value` under the key for `label` (tickets, refresh tokens, codes, bindings)."""
    return hmac.new(_key(settings, label), value.encode(), hashlib.sha256).hexdigest()


def new_code(digits: int) -> str:
    """A random numeric code of `digits` digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def new_ticket() -> str:
    """A random, unguessable ticket or token (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def _code_hash(settings: Any, nonce: str, code: str) -> str:
    return keyed_hash(settings, "otp", f"{nonce}:{code}")


def open_challenge(
    uow: UnitOfWork,
    *,
    purpose: str,
    customer_id: int,
    login_id: int | None,
    method: str,
    channel: str,
    phone: str | None,
    phone_masked: str,
    sms_text: str = "",
    device_id: str = "",
    binding: str | None = None,
    with_ticket: bool = False,
    payload: str | None = None,
) -> tuple[EbankChallenge, str | None]:
    """Open a challenge and, for the SMS method, send its code to `phone` (`sms_text` holds `{code}` where the
    code goes). `payload` is kept encrypted with it (an enrollment's phone, a TOTP setup's new secret). Returns
    the challenge and its ticket (when `with_ticket`), which only the caller ever sees."""
    s = uow.settings
    nonce = secrets.token_hex(16)
    ticket = new_ticket() if with_ticket else None
    code = new_code(s.otp_digits) if method == "sms" else None
    ch = EbankChallenge(
        purpose=purpose,
        customer_id=customer_id,
        login_id=login_id,
        method=method,
        ticket_hash=keyed_hash(s, "ticket", ticket) if ticket else None,
        code_hash=_code_hash(s, nonce, code) if code else None,
        nonce=nonce,
        binding=binding,
        channel=channel,
        device_id=device_id,
        phone_masked=phone_masked,
        payload_cipher=cipher_for(s).encrypt(payload) if payload else None,
        attempts=0,
        status="open",
        created_at=uow.now,
        expires_at=uow.now + timedelta(seconds=s.otp_ttl_seconds),
    )
    uow.session.add(ch)
    uow.session.flush()
    if code is not None:
        assert phone is not None, "an SMS challenge needs a phone"
        sms.send(uow, phone=phone, text=sms_text, code=code, purpose=purpose)
    return ch, ticket


def find_by_ticket(uow: UnitOfWork, ticket: str, purpose: str) -> EbankChallenge | None:
    """The challenge a ticket names, if it is one for `purpose`."""
    h = keyed_hash(uow.settings, "ticket", ticket)
    return uow.session.execute(
        select(EbankChallenge).where(EbankChallenge.ticket_hash == h, EbankChallenge.purpose == purpose)
    ).scalar_one_or_none()


def usable(uow: UnitOfWork, ch: EbankChallenge) -> CoreBankError | None:
    """Why the challenge can no longer be proved (used, void, expired), or None."""
    if ch.status == "used":
        return OtpUsed()
    if ch.status == "void":
        return OtpExpired("too many wrong codes voided this one; ask for a new one")
    if aware(ch.expires_at) <= uow.now:
        return OtpExpired()
    return None


def code_matches(uow: UnitOfWork, ch: EbankChallenge, code: str, login: EbankLogin | None) -> bool:
    """Whether `code` proves the challenge (nothing is recorded; see `prove`)."""
    code = code.strip()
    if not code.isdigit():
        return False
    if ch.method == "totp":
        return login is not None and totp_step(uow, login, code) is not None
    if ch.code_hash is None:
        return False
    return hmac.compare_digest(_code_hash(uow.settings, ch.nonce, code), ch.code_hash)


def count_wrong(uow: UnitOfWork, ch: EbankChallenge) -> OtpInvalid:
    """Count a wrong code against the challenge (void it at the last allowed try); the error to answer."""
    ch.attempts += 1
    left = max(uow.settings.otp_max_attempts - ch.attempts, 0)
    if left == 0:
        ch.status = "void"
    return OtpInvalid(
        "the code is wrong" + ("; it is now void, ask for a new one" if left == 0 else ""), attempts_left=left
    )


def mark_used(uow: UnitOfWork, ch: EbankChallenge) -> CoreBankError | None:
    """Use the challenge once: a conditional update, so that of two requests racing with the same code only
    one wins. None when this request won; the error otherwise."""
    t = EbankChallenge
    done = uow.session.execute(
        update(t)
        .where(t.id == ch.id, t.status == "open")
        .values(status="used", used_at=uow.now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return OtpUsed()
    ch.status, ch.used_at = "used", uow.now
    return None


def prove(
    uow: UnitOfWork, ch: EbankChallenge, code: str, login: EbankLogin | None = None
) -> CoreBankError | None:
    """Check `code` against an open challenge: None when it proves it (the challenge is now used), else the
    error to answer (a wrong code counted against the challenge). The caller commits either way."""
    problem = usable(uow, ch)
    if problem is not None:
        return problem
    if not code_matches(uow, ch, code, login):
        return count_wrong(uow, ch)
    if ch.method == "totp" and login is not None:
        record_totp_step(uow, login, code)
    return mark_used(uow, ch)


# ------------------------------------------------------------------------------------------- TOTP


def new_totp_secret() -> str:
    """A fresh base32 TOTP secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def totp_uri(secret: str, login_name: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS).provisioning_uri(name=login_name, issuer_name=issuer)


def totp_secret(uow: UnitOfWork, login: EbankLogin) -> str | None:
    """The login's TOTP secret, decrypted (active or waiting for confirmation)."""
    return cipher_for(uow.settings).decrypt(login.totp_cipher) if login.totp_cipher else None


def totp_matches(secret: str, code: str, now: datetime) -> int | None:
    """The time step `code` belongs to (within the allowed drift), or None."""
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS)
    step = totp.timecode(aware(now))
    found = None
    for offset in range(-TOTP_WINDOW, TOTP_WINDOW + 1):
        # Compare every candidate (no early exit): the time taken says nothing about which step matched.
        if hmac.compare_digest(totp.generate_otp(step + offset), code):
            found = step + offset
    return found


def totp_step(uow: UnitOfWork, login: EbankLogin, code: str, secret: str | None = None) -> int | None:
    """The unused time step `code` proves for the login's TOTP secret (or `secret`, a new one being set up),
    or None (wrong, or a step already used: a code cannot be replayed)."""
    secret = secret or totp_secret(uow, login)
    code = code.strip()
    if secret is None or len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    step = totp_matches(secret, code, uow.now)
    if step is None:
        return None
    seen = uow.session.execute(
        select(EbankTotpUse.id).where(EbankTotpUse.login_id == login.id, EbankTotpUse.step >= step)
    ).first()
    return None if seen else step


def record_totp_step(uow: UnitOfWork, login: EbankLogin, code: str, secret: str | None = None) -> None:
    """Remember the time step of an accepted TOTP code: it (and any earlier one) cannot be used again."""
    step = totp_step(uow, login, code, secret)
    if step is not None:
        uow.session.add(EbankTotpUse(login_id=login.id, step=step, used_at=uow.now))
        uow.session.flush()
