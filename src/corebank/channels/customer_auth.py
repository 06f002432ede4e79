"""Customer authentication on the e-channels: password, then a second factor; sessions with rotating refresh
tokens; logout; password change; TOTP enrollment.

Logging in is two steps. `start_login` checks the password and opens a login challenge (an SMS code is sent,
or the customer's authenticator is asked for); `finish_login` proves the code and opens a session: a short-lived
access token (`settings.customer_token_minutes`) and a refresh token good once, for a session that lasts at most
`settings.customer_refresh_hours` from login. Every wrong password or code counts toward the lockout
(`settings.customer_lockout_after_failures` in a row; a password reset at the counter unlocks); those counts
are returned with the refusal so that the route commits them and raises afterwards. An unknown login name
answers exactly as a wrong password does, after the same hashing work.
"""

from __future__ import annotations

import functools
import io
from datetime import timedelta
from typing import TypeVar

import segno
from sqlalchemy import select, update

from corebank import customers
from corebank.channels import devices, identity, otp, tokens
from corebank.channels.identity_errors import (
    DeviceRequired,
    EbankLoginFailed,
    EbankNotEnrolled,
    LoginLocked,
    LoginSuspended,
    LoginTicketInvalid,
    PasswordWrong,
    RefreshTokenInvalid,
    RefreshTokenReused,
    TotpNotActive,
    TotpNotStarted,
)
from corebank.channels.identity_models import EbankChallenge, EbankLogin, EbankRefreshToken, EbankSession
from corebank.channels.identity_schemas import (
    CodeSent,
    CustomerTokens,
    FactorRead,
    LoginRequest,
    LogoutRead,
    PasswordChange,
    RefreshRequest,
    SecondFactor,
    SecondFactorRequired,
    TotpCode,
    TotpSetup,
)
from corebank.channels.registry import require_open
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CoreBankError, InvalidRequest, NotAuthenticated
from corebank.security import Actor, cipher_for, passwords

T = TypeVar("T")
Outcome = tuple[T | None, CoreBankError | None]
"""An answer, or the error to raise once the unit of work has committed what the refusal must remember."""

LOGIN = "login"
TOTP_SETUP = "totp_setup"
TOTP_OFF = "totp_off"


@functools.cache
def _dummy_hash() -> str:
    # Made on the first unknown login name, not at import: every command-line start would pay for it.
    return passwords.hash_password("not-a-real-login-password-1")


def _count_failure(uow: UnitOfWork, login: EbankLogin, who: Actor, reason: str) -> CoreBankError:
    """Count a wrong password or code toward the lockout; lock the login at the limit (its sessions end)."""
    login.failed_logins += 1
    locked = login.failed_logins >= uow.settings.customer_lockout_after_failures
    if locked and login.status == "active":
        login.status = "locked"
        login.token_version += 1
        login.updated_at = uow.now
        identity.end_sessions(uow, login.id, "locked")
    uow.audit(
        who, "ebank.login_failed", "ebank_login", login.login_name, reason=reason,
        failures=login.failed_logins, locked=login.status == "locked",
    )  # fmt: skip
    return LoginLocked() if login.status == "locked" else EbankLoginFailed()


def _refusal_for_status(login: EbankLogin) -> CoreBankError:
    if login.status == "locked":
        return LoginLocked()
    if login.status == "suspended":
        return LoginSuspended()
    return EbankLoginFailed()


def _who(login: EbankLogin, channel: str, branch_code: str = "0001") -> Actor:
    return identity.visitor(channel, f"customer:{login.login_name}", branch_code)


# ------------------------------------------------------------------------------------------- logging in


def start_login(uow: UnitOfWork, cmd: LoginRequest) -> Outcome[SecondFactorRequired]:
    """Step 1: check the login name and password; open the second factor (an SMS code is sent now, or the
    authenticator is asked for). On mobile, a device not bound to the login always gets the SMS factor."""
    require_open(uow, cmd.channel, "login")
    if cmd.channel == "mobile" and not cmd.device_id:
        raise DeviceRequired()
    name = cmd.login_name.strip().lower()
    login = uow.session.execute(select(EbankLogin).where(EbankLogin.login_name == name)).scalar_one_or_none()
    if login is None or login.status == "closed":
        passwords.verify_password(_dummy_hash(), cmd.password)  # the same work as for a real login
        who = identity.visitor(cmd.channel, f"customer:{name}")
        uow.audit(who, "ebank.login_failed", "ebank_login", name[:64], reason="unknown login")
        return None, EbankLoginFailed()
    good = passwords.verify_password(login.password_hash, cmd.password)
    c = customers.customer_ref_by_id(uow, login.customer_id)
    who = _who(login, cmd.channel, c.home_branch)
    if login.status == "locked":
        uow.audit(who, "ebank.login_refused", "ebank_login", login.login_name, reason="locked")
        return None, LoginLocked()
    if not good:
        return None, _count_failure(uow, login, who, "wrong password")
    if login.status != "active" or c.status != "active":
        reason = login.status if login.status != "active" else f"customer {c.status}"
        uow.audit(who, "ebank.login_refused", "ebank_login", login.login_name, reason=reason)
        return None, LoginSuspended(
            "this e-banking login is suspended; ask at the counter"
            if login.status == "suspended"
            else "the customer's relationship with the bank is not active; ask at the counter"
        )
    device = cmd.device_id or ""
    method = login.second_factor if login.totp_cipher else "sms"
    if cmd.channel == "mobile" and not devices.is_bound(uow, login.id, device):
        method = "sms"
    phone = cipher_for(uow.settings).decrypt(login.phone_cipher) if method == "sms" else None
    minutes = max(1, uow.settings.otp_ttl_seconds // 60)
    ch, ticket = otp.open_challenge(
        uow,
        purpose=LOGIN,
        customer_id=login.customer_id,
        login_id=login.id,
        method=method,
        channel=cmd.channel,
        phone=phone,
        phone_masked=login.phone_masked,
        sms_text=f"[CoreBank] Your login code is {{code}}, valid {minutes} min. The bank never asks for it.",
        device_id=device,
        with_ticket=True,
    )
    assert ticket is not None
    uow.audit(who, "ebank.login_password_ok", "ebank_login", login.login_name, method=method, device=device)
    return (
        SecondFactorRequired(
            login_ticket=ticket, method=method, phone_masked=login.phone_masked, expires_at=ch.expires_at
        ),
        None,
    )


def _access_token(uow: UnitOfWork, login: EbankLogin, session: EbankSession, branch_code: str) -> str:
    claims = tokens.CustomerClaims(
        login.id,
        login.customer_id,
        login.login_name,
        login.token_version,
        session.channel,
        session.strength,
        branch_code,
        session.device_id,
    )
    s = uow.settings
    return tokens.issue(s.jwt_secret, claims, now=uow.now, minutes=s.customer_token_minutes)


def _new_refresh(uow: UnitOfWork, session: EbankSession) -> str:
    refresh = otp.new_ticket()
    uow.session.add(
        EbankRefreshToken(
            session_id=session.id,
            token_hash=otp.keyed_hash(uow.settings, "refresh", refresh),
            issued_at=uow.now,
        )
    )
    return refresh


def _tokens(uow: UnitOfWork, login: EbankLogin, session: EbankSession, branch_code: str) -> CustomerTokens:
    refresh = _new_refresh(uow, session)
    uow.session.flush()
    return CustomerTokens(
        access_token=_access_token(uow, login, session, branch_code),
        refresh_token=refresh,
        expires_in=uow.settings.customer_token_minutes * 60,
        refresh_expires_at=session.expires_at,
        channel=session.channel,
        strength=session.strength,
    )


def finish_login(uow: UnitOfWork, cmd: SecondFactor) -> Outcome[CustomerTokens]:
    """Step 2: prove the second factor and open a session. A wrong code counts toward the lockout and against
    the code's own tries; a mobile device not yet bound is bound now."""
    ch = otp.find_by_ticket(uow, cmd.login_ticket, LOGIN)
    if ch is None or ch.login_id is None:
        raise LoginTicketInvalid()
    login = uow.session.get(EbankLogin, ch.login_id)
    if login is None:
        raise LoginTicketInvalid()
    require_open(uow, ch.channel, "login")
    c = customers.customer_ref_by_id(uow, login.customer_id)
    who = _who(login, ch.channel, c.home_branch)
    if login.status != "active":
        uow.audit(who, "ebank.login_refused", "ebank_login", login.login_name, reason=login.status)
        return None, _refusal_for_status(login)
    problem = otp.usable(uow, ch)
    if problem is not None:
        return None, problem
    if not otp.code_matches(uow, ch, cmd.code, login):
        wrong = otp.count_wrong(uow, ch)
        counted = _count_failure(uow, login, who, "wrong code")
        return None, counted if isinstance(counted, LoginLocked) else wrong
    if ch.method == "totp":
        otp.record_totp_step(uow, login, cmd.code)
    used = otp.mark_used(uow, ch)
    if used is not None:
        return None, used
    login.failed_logins = 0
    login.last_login_at = uow.now
    if ch.channel == "mobile" and ch.device_id:
        devices.bind(uow, login, ch.device_id, who)
    session = EbankSession(
        login_id=login.id,
        channel=ch.channel,
        device_id=ch.device_id,
        strength=ch.method,
        created_at=uow.now,
        expires_at=uow.now + timedelta(hours=uow.settings.customer_refresh_hours),
    )
    uow.session.add(session)
    uow.session.flush()
    uow.audit(who, "ebank.login", "ebank_login", login.login_name, session=session.id, strength=ch.method)
    return _tokens(uow, login, session, c.home_branch), None


# ------------------------------------------------------------------------------------------- sessions


def _refresh_row(uow: UnitOfWork, refresh_token: str) -> tuple[EbankRefreshToken, EbankSession]:
    h = otp.keyed_hash(uow.settings, "refresh", refresh_token.strip())
    row = uow.session.execute(
        select(EbankRefreshToken).where(EbankRefreshToken.token_hash == h)
    ).scalar_one_or_none()
    session = uow.session.get(EbankSession, row.session_id) if row is not None else None
    if row is None or session is None:
        raise RefreshTokenInvalid()
    return row, session


def session_open(uow: UnitOfWork, refresh_token: str) -> bool:
    """True while the e-banking session behind `refresh_token` is neither ended nor expired. The web bank's
    cookie carries the token and asks on every page, so signing out ends every copy of the cookie at once."""
    try:
        _row, session = _refresh_row(uow, refresh_token)
    except RefreshTokenInvalid:
        return False
    return session.ended_at is None and otp.aware(session.expires_at) > uow.now


def refresh(uow: UnitOfWork, cmd: RefreshRequest) -> Outcome[CustomerTokens]:
    """Exchange a refresh token for a new access token and the next refresh token. A refresh token already
    used ends its session (someone holds a copy): REFRESH_TOKEN_REUSED, committed."""
    row, session = _refresh_row(uow, cmd.refresh_token)
    login = uow.session.get(EbankLogin, session.login_id)
    assert login is not None
    c = customers.customer_ref_by_id(uow, login.customer_id)
    who = _who(login, session.channel, c.home_branch)
    t = EbankRefreshToken
    taken = uow.session.execute(
        update(t)
        .where(t.id == row.id, t.used_at.is_(None))
        .values(used_at=uow.now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        if session.ended_at is None:
            session.ended_at, session.end_reason = uow.now, "refresh_reuse"
        uow.audit(who, "ebank.refresh_reused", "ebank_session", session.id)
        return None, RefreshTokenReused()
    if session.ended_at is not None or otp.aware(session.expires_at) <= uow.now or login.status != "active":
        raise RefreshTokenInvalid()
    require_open(uow, session.channel, "login")
    session.refreshed_at = uow.now
    return _tokens(uow, login, session, c.home_branch), None


def _own_login(uow: UnitOfWork, actor: Actor, *, channel_open: bool = True) -> EbankLogin:
    # Logging out works even on a closed channel: ending access is never refused.
    if channel_open:
        require_open(uow, actor.channel, "login")
    login = identity.login_of(uow, actor.customer_id) if actor.customer_id is not None else None
    if login is None:
        raise EbankNotEnrolled("no e-banking login")
    return login


def logout(uow: UnitOfWork, actor: Actor, cmd: RefreshRequest) -> LogoutRead:
    """End the session the refresh token belongs to (the customer's own). Its access token lives on until it
    expires, at most `settings.customer_token_minutes`; `logout_all` ends every access token at once."""
    login = _own_login(uow, actor, channel_open=False)
    _row, session = _refresh_row(uow, cmd.refresh_token)
    if session.login_id != login.id:
        raise RefreshTokenInvalid()
    ended = 0
    if session.ended_at is None:
        session.ended_at, session.end_reason, ended = uow.now, "logout", 1
        uow.audit(actor, "ebank.logout", "ebank_session", session.id)
    return LogoutRead(sessions_ended=ended)


def logout_all(uow: UnitOfWork, actor: Actor) -> LogoutRead:
    """Log out everywhere: every session ends and every access token already issued stops working at once."""
    login = _own_login(uow, actor, channel_open=False)
    login.token_version += 1
    login.updated_at = uow.now
    ended = identity.end_sessions(uow, login.id, "logout_all")
    uow.audit(actor, "ebank.logout_all", "ebank_login", login.login_name, sessions=ended)
    return LogoutRead(sessions_ended=ended)


def change_password(uow: UnitOfWork, actor: Actor, cmd: PasswordChange) -> Outcome[LogoutRead]:
    """Change the password (the current one first: a wrong one counts toward the lockout). Every session ends,
    this one too: log in again with the new password."""
    login = _own_login(uow, actor)
    if not passwords.verify_password(login.password_hash, cmd.old_password):
        counted = _count_failure(uow, login, actor, "wrong current password")
        return None, counted if isinstance(counted, LoginLocked) else PasswordWrong()
    if cmd.new_password == cmd.old_password:
        raise InvalidRequest("the new password must differ from the current one")
    identity.check_password(cmd.new_password)
    login.password_hash = passwords.hash_password(cmd.new_password)
    login.failed_logins = 0
    login.token_version += 1
    login.updated_at = uow.now
    ended = identity.end_sessions(uow, login.id, "password_changed")
    uow.audit(actor, "ebank.password_changed", "ebank_login", login.login_name, sessions=ended)
    return LogoutRead(sessions_ended=ended), None


# ------------------------------------------------------------------------------------------- TOTP


def _open_challenge_of(uow: UnitOfWork, login: EbankLogin, purpose: str) -> EbankChallenge | None:
    return uow.session.execute(
        select(EbankChallenge)
        .where(
            EbankChallenge.login_id == login.id,
            EbankChallenge.purpose == purpose,
            EbankChallenge.status == "open",
        )
        .order_by(EbankChallenge.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _void_open(uow: UnitOfWork, login: EbankLogin, purpose: str) -> None:
    uow.session.execute(
        update(EbankChallenge)
        .where(
            EbankChallenge.login_id == login.id,
            EbankChallenge.purpose == purpose,
            EbankChallenge.status == "open",
        )
        .values(status="void")
        .execution_options(synchronize_session=False)
    )


def start_totp(uow: UnitOfWork, actor: Actor) -> TotpSetup:
    """A new TOTP secret for the customer's authenticator (shown once, as a URI and a QR code). It takes effect
    when `confirm_totp` proves a code from it; until then the login keeps its current factor."""
    login = _own_login(uow, actor)
    secret = otp.new_totp_secret()
    uri = otp.totp_uri(secret, login.login_name, uow.settings.totp_issuer)
    _void_open(uow, login, TOTP_SETUP)
    ch, _ = otp.open_challenge(
        uow,
        purpose=TOTP_SETUP,
        customer_id=login.customer_id,
        login_id=login.id,
        method="totp",
        channel=actor.channel,
        phone=None,
        phone_masked=login.phone_masked,
        payload=secret,
    )
    # A person scans the code at their own pace: the setup waits ten times a code's lifetime.
    ch.expires_at = uow.now + timedelta(seconds=uow.settings.otp_ttl_seconds * 10)
    buf = io.BytesIO()
    segno.make(uri, error="m").save(buf, kind="svg", xmldecl=False, scale=4)
    uow.audit(actor, "ebank.totp_started", "ebank_login", login.login_name)
    return TotpSetup(secret=secret, otpauth_uri=uri, qr_svg=buf.getvalue().decode())


def confirm_totp(uow: UnitOfWork, actor: Actor, cmd: TotpCode) -> Outcome[FactorRead]:
    """Prove a code from the new authenticator: the login's second factor becomes TOTP."""
    login = _own_login(uow, actor)
    ch = _open_challenge_of(uow, login, TOTP_SETUP)
    if ch is None or ch.payload_cipher is None:
        raise TotpNotStarted()
    problem = otp.usable(uow, ch)
    if problem is not None:
        raise problem
    secret = cipher_for(uow.settings).decrypt(ch.payload_cipher)
    if otp.totp_step(uow, login, cmd.code, secret) is None:
        return None, otp.count_wrong(uow, ch)
    otp.record_totp_step(uow, login, cmd.code, secret)
    used = otp.mark_used(uow, ch)
    if used is not None:
        return None, used
    login.totp_cipher = cipher_for(uow.settings).encrypt(secret)
    login.second_factor = "totp"
    login.updated_at = uow.now
    uow.audit(actor, "ebank.totp_on", "ebank_login", login.login_name)
    return FactorRead(second_factor="totp"), None


def send_totp_off_code(uow: UnitOfWork, actor: Actor) -> CodeSent:
    """Send the SMS code that switching TOTP off needs."""
    login = _own_login(uow, actor)
    if login.second_factor != "totp":
        raise TotpNotActive()
    _void_open(uow, login, TOTP_OFF)
    minutes = max(1, uow.settings.otp_ttl_seconds // 60)
    ch, _ = otp.open_challenge(
        uow,
        purpose=TOTP_OFF,
        customer_id=login.customer_id,
        login_id=login.id,
        method="sms",
        channel=actor.channel,
        phone=cipher_for(uow.settings).decrypt(login.phone_cipher),
        phone_masked=login.phone_masked,
        sms_text=f"[CoreBank] Code {{code}} switches your authenticator off (back to SMS codes). Valid {minutes} "
        "min. If you did not ask for it, call the bank.",
    )
    uow.audit(actor, "ebank.totp_off_code", "ebank_login", login.login_name)
    return CodeSent(phone_masked=ch.phone_masked, expires_at=ch.expires_at)


def disable_totp(uow: UnitOfWork, actor: Actor, cmd: TotpCode) -> Outcome[FactorRead]:
    """Back to SMS codes: prove the SMS code `send_totp_off_code` sent; the TOTP secret is forgotten."""
    login = _own_login(uow, actor)
    if login.second_factor != "totp":
        raise TotpNotActive()
    ch = _open_challenge_of(uow, login, TOTP_OFF)
    if ch is None:
        raise NotAuthenticated("ask for the SMS code first (POST /api/v1/me/totp/disable-code)")
    problem = otp.prove(uow, ch, cmd.code)
    if problem is not None:
        return None, problem
    login.second_factor = "sms"
    login.totp_cipher = None
    login.updated_at = uow.now
    uow.audit(actor, "ebank.totp_off", "ebank_login", login.login_name)
    return FactorRead(second_factor="sms"), None
