"""Browser sessions for the consoles: a signed cookie, an idle timeout, CSRF tokens, and the page's actor.

The staff console's cookie (`corebank_session`, Path=/console) is a JWT naming the user, roles and branch as the API
token does, plus a random session id, the language and when the session began. Each page re-issues it, so it
expires after `console_idle_minutes` without a request, and never lives past `console_max_hours`. Each page also
reads the user's status and token version: disabling a user or changing their password ends their sessions at
once. Every unsafe request carries a CSRF token, an HMAC of the session id, as the form field `csrf` or the
`X-CSRF-Token` header (htmx sends it). Cookies are HttpOnly, SameSite=Lax, and Secure when the request came by TLS.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corebank.bootstrap import Bank
from corebank.kernel.errors import CoreBankError, NotAuthenticated
from corebank.security import Actor, P
from corebank.security import service as security
from corebank.security.actor import make_actor
from corebank.web.deps import get_bank
from corebank.web.pages import i18n

STAFF_COOKIE = "corebank_session"
STAFF_PATH = "/console"
AUDIENCE = "corebank-console"
SAFE = {"GET", "HEAD", "OPTIONS"}


class CsrfFailed(CoreBankError):
    code = "CSRF_FAILED"
    status = 403
    title = "The form has expired: reload the page and try again"


class LoginRequired(NotAuthenticated):
    """No live session: pages answer it with a redirect to the area's login page."""

    code = "NOT_AUTHENTICATED"
    title = "Please sign in"


def _now() -> datetime:
    return datetime.now(UTC)


def csrf_for(secret: str, sid: str) -> str:
    """The CSRF token of a session id."""
    return hmac.new(secret.encode(), f"csrf:{sid}".encode(), hashlib.sha256).hexdigest()


async def check_csrf(request: Request, secret: str, sid: str) -> None:
    """Refuse an unsafe request whose CSRF token does not match the session's."""
    if request.method in SAFE:
        return
    sent = request.headers.get("x-csrf-token")
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf")
            sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, csrf_for(secret, sid)):
        raise CsrfFailed()


def queue_cookie(request: Request, name: str, value: str | None, *, path: str, max_age: int = 0) -> None:
    """Set (or, with None, delete) a cookie on whatever response this request ends with (see CookieMiddleware)."""
    secure = request.url.scheme == "https"
    if value is None:
        header = f"{name}=; Path={path}; Max-Age=0; HttpOnly; SameSite=Lax"
    else:
        header = f"{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax"
    if secure:
        header += "; Secure"
    pending: list[str] = request.scope.setdefault("state", {}).setdefault("page_cookies", [])
    pending[:] = [h for h in pending if not h.startswith(f"{name}=")]  # the last word on a cookie wins
    pending.append(header)


class CookieMiddleware:
    """Adds the cookies a page queued with `queue_cookie` to its response, whichever response that is
    (a page, a redirect, a file or an error page)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        i18n.set_locale(
            i18n.DEFAULT
        )  # each request starts in the default language until a session says otherwise

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                pending = scope.get("state", {}).get("page_cookies") or []
                if pending:
                    headers = list(message.get("headers", []))
                    headers += [(b"set-cookie", h.encode("latin-1")) for h in pending]
                    message["headers"] = headers
            await send(message)

        await self.app(scope, receive, wrapped)


def issue_staff_cookie(
    bank: Bank, claims: dict[str, Any], *, sid: str, lang: str, started: datetime
) -> tuple[str, int]:
    """The staff session cookie's value and max-age."""
    s = bank.settings
    now = _now()
    exp = min(now + timedelta(minutes=s.console_idle_minutes), started + timedelta(hours=s.console_max_hours))
    payload = {
        "aud": AUDIENCE,
        "sub": claims["sub"],
        "uid": claims["uid"],
        "tv": claims.get("tv", 0),
        "roles": list(claims.get("roles", ())),
        "br": claims["br"],
        "sid": sid,
        "lang": lang,
        "st": int(started.timestamp()),
        "exp": exp,
    }
    return jwt.encode(payload, s.jwt_secret, algorithm="HS256"), max(1, int((exp - now).total_seconds()))


def start_staff_session(request: Request, bank: Bank, api_token: str, language: str) -> None:
    """After a good password: turn the API token's claims into a console session cookie."""
    claims = jwt.decode(api_token, bank.settings.jwt_secret, algorithms=["HS256"])
    lang = language if language in i18n.LOCALES else i18n.DEFAULT
    value, age = issue_staff_cookie(bank, claims, sid=secrets.token_urlsafe(18), lang=lang, started=_now())
    queue_cookie(request, STAFF_COOKIE, value, path=STAFF_PATH, max_age=age)


def end_staff_session(request: Request) -> None:
    """Log out: drop the cookie."""
    queue_cookie(request, STAFF_COOKIE, None, path=STAFF_PATH)


def _read_staff_cookie(bank: Bank, raw: str | None) -> dict[str, Any]:
    if not raw:
        raise LoginRequired("sign in to the console")
    try:
        claims = jwt.decode(raw, bank.settings.jwt_secret, algorithms=["HS256"], audience=AUDIENCE)
    except jwt.ExpiredSignatureError:
        raise LoginRequired("the session has ended after a time without use; sign in again") from None
    except jwt.PyJWTError:
        raise LoginRequired("sign in to the console") from None
    started = datetime.fromtimestamp(int(claims["st"]), UTC)
    if _now() - started > timedelta(hours=bank.settings.console_max_hours):
        raise LoginRequired("the session is over its time limit; sign in again")
    return claims


async def console_actor(request: Request) -> Actor:
    """The staff member behind the console session, with the language and CSRF token set for the page.
    Raises LoginRequired (the page redirects to /console/login) when there is no live session."""
    bank = get_bank(request)
    request.state.channel = "counter"
    claims = _read_staff_cookie(bank, request.cookies.get(STAFF_COOKIE))
    state = await run_in_threadpool(bank.run, security.staff_state, int(claims["uid"]), readonly=True)
    if state is None or state.status != "active" or state.token_version != int(claims.get("tv", 0)):
        end_staff_session(request)
        raise LoginRequired("the session was ended: the user was disabled or the password changed")
    i18n.set_locale(claims.get("lang") or state.language)
    sid = str(claims["sid"])
    request.state.csrf = csrf_for(bank.settings.jwt_secret, sid)
    await check_csrf(request, bank.settings.jwt_secret, sid)
    request.state.session_claims = claims
    renew_staff_session(request, i18n.current())
    actor = make_actor(
        claims["sub"],
        int(claims["uid"]),
        tuple(claims.get("roles", ())),
        claims["br"],
        bank.branch_tree(),
        "counter",
    )
    request.state.page_actor = actor
    return actor


def renew_staff_session(request: Request, lang: str) -> None:
    """Re-issue the session cookie (sliding the idle timeout), speaking `lang` from now on."""
    claims = request.state.session_claims
    started = datetime.fromtimestamp(int(claims["st"]), UTC)
    value, age = issue_staff_cookie(
        get_bank(request), claims, sid=str(claims["sid"]), lang=lang, started=started
    )
    queue_cookie(request, STAFF_COOKIE, value, path=STAFF_PATH, max_age=age)


ConsoleActor = Annotated[Actor, Depends(console_actor)]


def console_page(permission: P) -> Callable[[Request], Awaitable[Actor]]:
    """A dependency for a console page that needs `permission` (the route declares it, as REST routes do)."""

    async def dependency(request: Request) -> Actor:
        actor = await console_actor(request)
        actor.require(permission)
        return actor

    dependency.__name__ = f"console_{permission.name.lower()}"
    return dependency


def login_csrf(request: Request) -> str:
    """A CSRF token for the sign-in form, bound to a random cookie (no session exists yet)."""
    bank = get_bank(request)
    seed = request.cookies.get("corebank_login")
    if not seed:
        seed = secrets.token_urlsafe(18)
        queue_cookie(request, "corebank_login", seed, path="/", max_age=3600)
    return csrf_for(bank.settings.jwt_secret, "login:" + seed)


async def check_login_csrf(request: Request) -> None:
    """Refuse a sign-in post whose token does not match its cookie."""
    seed = request.cookies.get("corebank_login") or ""
    await check_csrf(request, get_bank(request).settings.jwt_secret, "login:" + seed)
