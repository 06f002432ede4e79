"""The staff console's doors: sign in, sign out, the home page and the language switch."""

from __future__ import annotations

from typing import Annotated

import jwt
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CoreBankError
from corebank.security import Actor
from corebank.security import service as security
from corebank.web.pages import i18n
from corebank.web.pages.errors import error_view
from corebank.web.pages.render import N_, NavItem, redirect, register_nav, render
from corebank.web.pages.session import (
    ConsoleActor,
    check_login_csrf,
    end_staff_session,
    login_csrf,
    renew_staff_session,
    start_staff_session,
)

router = APIRouter(prefix="/console", include_in_schema=False)
register_nav(NavItem("console", N_("Console"), N_("Home"), "/console", None, order=0))


def _safe_next(value: str | None) -> str:
    """Only a console path may be the page to return to after signing in."""
    if value and value.startswith("/console") and not value.startswith("//"):
        return value
    return "/console"


@router.get("/login")
def login_page(request: Request, next: str = "/console", lang: str | None = None) -> Response:
    i18n.set_locale(i18n.normalize(lang) or i18n.from_accept_language(request.headers.get("accept-language")))
    request.state.csrf = login_csrf(request)
    return render(request, "console/login.html", {"next": _safe_next(next)}, actor=None)


@router.post("/login", dependencies=[Depends(check_login_csrf)])
async def login_submit(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/console",
    lang: Annotated[str, Form()] = "",
) -> Response:
    bank = request.app.state.bank
    s = bank.settings
    outcome = await run_in_threadpool(
        bank.run,
        security.login,
        username.strip(),
        password,
        secret=s.jwt_secret,
        minutes=s.token_minutes,
        lockout_after=s.lockout_after_failures,
        channel="counter",
    )
    i18n.set_locale(i18n.normalize(lang) or i18n.from_accept_language(request.headers.get("accept-language")))
    if outcome.error is not None or outcome.token is None:
        exc = outcome.error
        request.state.csrf = login_csrf(request)
        view = (
            error_view(exc.code, exc.title, exc.detail)
            if isinstance(exc, CoreBankError)
            else error_view("LOGIN_FAILED", "Sign-in failed")
        )
        return render(
            request,
            "console/login.html",
            {"next": _safe_next(next), "error": view, "username": username},
            status=401,
            actor=None,
        )
    uid = int(jwt.decode(outcome.token, s.jwt_secret, algorithms=["HS256"])["uid"])
    state = await run_in_threadpool(bank.run, security.staff_state, uid, readonly=True)
    start_staff_session(request, bank, outcome.token, state.language if state else i18n.DEFAULT)
    return redirect(_safe_next(next))


@router.post("/logout")
def logout(request: Request, actor: ConsoleActor) -> Response:
    request.app.state.bank.run(_audit_logout, actor)
    end_staff_session(request)
    return redirect("/console/login", text=i18n.gettext("You have signed out."))


def _audit_logout(uow: UnitOfWork, actor: Actor) -> None:
    uow.audit(actor, "logout", "user", actor.username, channel="counter")


@router.post("/language")
def language(
    request: Request, actor: ConsoleActor, language: Annotated[str, Form()], back: Annotated[str, Form()] = ""
) -> Response:
    """Switch the console's language and keep the choice in the user's profile."""
    request.app.state.bank.run(security.set_language, actor, language)
    i18n.set_locale(language)
    renew_staff_session(request, i18n.current())
    return redirect(_safe_next(back))


@router.get("")
def home(request: Request, actor: ConsoleActor) -> Response:
    return render(request, "console/home.html", {})
