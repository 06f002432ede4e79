"""Internet banking sessions at /bank: the customer's signed cookie, its idle timeout, CSRF and the page's actor.

After the password and the second factor (`customer_auth.start_login` / `finish_login`, the same use cases the
REST login calls) the customer's access token claims are copied into a cookie of our own, `corebank_bank_session`
(Path=/bank, HttpOnly, SameSite=Lax, Secure over TLS): a JWT for the audience "corebank-bank" naming the login,
the customer, the token version, the strength of the login, a random session id (the CSRF tokens are HMACs of it)
and when the session began. The refresh token of the e-banking session rides along encrypted, so that signing out
ends that session in the bank's books too. Every page re-issues the cookie: it expires after
`console_idle_minutes` without a request, and never outlives the e-banking session (`customer_refresh_hours`).
Every page also checks the login with `principal.authenticate` (status and token version), so a suspension,
"log out everywhere" or a password change ends the session at once.

The language is the `corebank_lang` cookie (Path=/bank, set by POST /bank/language), else Accept-Language.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar

import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from corebank.bootstrap import Bank
from corebank.channels import customer_auth, principal, tokens
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidAmount, InvalidRequest, NotAuthenticated
from corebank.security import Actor, cipher_for
from corebank.web.deps import get_bank
from corebank.web.pages import i18n
from corebank.web.pages.session import LoginRequired, check_csrf, csrf_for, queue_cookie

BANK_COOKIE = "corebank_bank_session"
PENDING_COOKIE = "corebank_bank_login"
LANG_COOKIE = "corebank_lang"
BANK_PATH = "/bank"
AUDIENCE = "corebank-bank"
PENDING_AUDIENCE = "corebank-bank-login"
CHANNEL = "internet"
LANG_MAX_AGE = 365 * 24 * 3600


def _now() -> datetime:
    return datetime.now(UTC)


# ------------------------------------------------------------------------------------------- language


def page_language(request: Request, given: str | None = None) -> str:
    """Set the page's language: `given` (?lang=), else the `corebank_lang` cookie, else Accept-Language."""
    lang = (
        i18n.normalize(given)
        or i18n.normalize(request.cookies.get(LANG_COOKIE))
        or i18n.from_accept_language(request.headers.get("accept-language"))
    )
    i18n.set_locale(lang)
    return i18n.current()


def remember_language(request: Request, language: str) -> str:
    """Keep the customer's language choice in the `corebank_lang` cookie and speak it from now on."""
    lang = i18n.normalize(language) or i18n.DEFAULT
    i18n.set_locale(lang)
    queue_cookie(request, LANG_COOKIE, lang, path=BANK_PATH, max_age=LANG_MAX_AGE)
    return lang


# ------------------------------------------------------------------------------------------- the pending login


def start_pending_login(request: Request, ticket: str, method: str, phone_masked: str, next_url: str) -> None:
    """Between the password and the code: the login ticket in a short-lived signed cookie."""
    s = get_bank(request).settings
    exp = _now() + timedelta(seconds=s.otp_ttl_seconds)
    value = jwt.encode(
        {"aud": PENDING_AUDIENCE, "t": ticket, "m": method, "p": phone_masked, "n": next_url, "exp": exp},
        s.jwt_secret,
        algorithm="HS256",
    )
    queue_cookie(request, PENDING_COOKIE, value, path=BANK_PATH, max_age=s.otp_ttl_seconds)


def pending_login(request: Request) -> dict[str, Any] | None:
    """The pending login (ticket, method, masked phone, next page), or None when there is none or it expired."""
    raw = request.cookies.get(PENDING_COOKIE)
    if not raw:
        return None
    try:
        return dict(
            jwt.decode(
                raw, get_bank(request).settings.jwt_secret, algorithms=["HS256"], audience=PENDING_AUDIENCE
            )
        )
    except jwt.PyJWTError:
        return None


def end_pending_login(request: Request) -> None:
    """Drop the pending login cookie."""
    queue_cookie(request, PENDING_COOKIE, None, path=BANK_PATH)


# ------------------------------------------------------------------------------------------- the session


def issue_bank_cookie(bank: Bank, claims: dict[str, Any]) -> tuple[str, int]:
    """The session cookie's value and max-age: idle timeout from now, never past the session's end."""
    s = bank.settings
    now = _now()
    ends = datetime.fromtimestamp(int(claims["end"]), UTC)
    exp = min(now + timedelta(minutes=s.console_idle_minutes), ends)
    payload = {k: v for k, v in claims.items() if k not in ("exp", "aud")}
    payload.update(aud=AUDIENCE, exp=exp)
    return jwt.encode(payload, s.jwt_secret, algorithm="HS256"), max(1, int((exp - now).total_seconds()))


def start_bank_session(
    request: Request, access_token: str, refresh_token: str, refresh_expires_at: datetime
) -> None:
    """After the second factor: turn the customer's access token into the bank session cookie."""
    bank = get_bank(request)
    c = tokens.read(bank.settings.jwt_secret, access_token)
    started = _now()
    ends = refresh_expires_at if refresh_expires_at.tzinfo else refresh_expires_at.replace(tzinfo=UTC)
    ends = min(ends, started + timedelta(hours=bank.settings.customer_refresh_hours))
    claims = {
        "sub": c.login_name,
        "lid": c.login_id,
        "cid": c.customer_id,
        "tv": c.token_version,
        "ch": c.channel,
        "st": c.strength,
        "br": c.branch_code,
        "sid": secrets.token_urlsafe(18),
        "rt": cipher_for(bank.settings).encrypt(refresh_token),
        "start": int(started.timestamp()),
        "end": int(ends.timestamp()),
    }
    value, age = issue_bank_cookie(bank, claims)
    queue_cookie(request, BANK_COOKIE, value, path=BANK_PATH, max_age=age)


def end_bank_session(request: Request) -> None:
    """Sign out: drop the cookie."""
    queue_cookie(request, BANK_COOKIE, None, path=BANK_PATH)


def refresh_token_of(request: Request) -> str | None:
    """The e-banking session's refresh token (to end that session on sign-out)."""
    claims = getattr(request.state, "bank_claims", None)
    return _decrypt_refresh(get_bank(request), claims) if claims else None


def _decrypt_refresh(bank: Bank, claims: dict[str, Any]) -> str | None:
    if not claims.get("rt"):
        return None
    try:
        return str(cipher_for(bank.settings).decrypt(claims["rt"]))
    except Exception:
        return None


def _read_bank_cookie(bank: Bank, raw: str | None) -> dict[str, Any]:
    if not raw:
        raise LoginRequired("sign in to internet banking")
    try:
        claims = jwt.decode(raw, bank.settings.jwt_secret, algorithms=["HS256"], audience=AUDIENCE)
    except jwt.ExpiredSignatureError:
        raise LoginRequired("the session has ended after a time without use; sign in again") from None
    except jwt.PyJWTError:
        raise LoginRequired("sign in to internet banking") from None
    if _now() >= datetime.fromtimestamp(int(claims["end"]), UTC):
        raise LoginRequired("the session is over its time limit; sign in again")
    return dict(claims)


def customer_claims(claims: dict[str, Any]) -> tokens.CustomerClaims:
    """The customer's token claims the session cookie carries."""
    return tokens.CustomerClaims(
        int(claims["lid"]),
        int(claims["cid"]),
        str(claims["sub"]),
        int(claims["tv"]),
        str(claims.get("ch", CHANNEL)),
        str(claims.get("st", "sms")),
        str(claims.get("br", "")),
        "",
    )


async def bank_actor(request: Request) -> Actor:
    """The customer behind the bank session, with the language and CSRF token set for the page. Raises
    LoginRequired (the page redirects to /bank/login) when there is no live session."""
    page_language(request)
    bank = get_bank(request)
    request.state.channel = CHANNEL
    claims = _read_bank_cookie(bank, request.cookies.get(BANK_COOKIE))
    refresh_token = _decrypt_refresh(bank, claims)

    def check(uow: UnitOfWork) -> Actor:
        actor = principal.authenticate(uow, customer_claims(claims))
        if refresh_token is None or not customer_auth.session_open(uow, refresh_token):
            raise NotAuthenticated("this session was ended; sign in again")
        return actor

    try:
        actor = await run_in_threadpool(bank.run, check, readonly=True)
    except NotAuthenticated as exc:
        end_bank_session(request)
        raise LoginRequired(exc.detail or "the session was ended; sign in again") from None
    sid = str(claims["sid"])
    request.state.csrf = csrf_for(bank.settings.jwt_secret, sid)
    await check_csrf(request, bank.settings.jwt_secret, sid)
    request.state.bank_claims = claims
    value, age = issue_bank_cookie(bank, claims)
    queue_cookie(request, BANK_COOKIE, value, path=BANK_PATH, max_age=age)
    request.state.page_actor = actor
    return actor


BankActor = Annotated[Actor, Depends(bank_actor)]


def session_sid(request: Request) -> str | None:
    """The session id of a live bank cookie, without checking the login (for the language switch)."""
    try:
        return str(_read_bank_cookie(get_bank(request), request.cookies.get(BANK_COOKIE))["sid"])
    except LoginRequired:
        return None


# ------------------------------------------------------------------------------------------- forms


class FormInvalid(InvalidRequest):
    """A form field the schema refused (the same code and title as the API's validation error)."""

    code = "VALIDATION_ERROR"
    title = "The request is not valid"


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], **data: Any) -> M:
    """`model` built from a form's fields; a refused field raises FormInvalid (INVALID_AMOUNT for an amount)."""
    try:
        return model(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        detail = f"{where}: {first.get('msg', '')}" if where else str(first.get("msg", ""))
        if "amount" in where:
            raise InvalidAmount(detail) from None
        raise FormInvalid(detail) from None
