"""Internet banking's doors: sign in (password, then the SMS or authenticator code), sign out, online enrollment
(签约), the language switch, and the home page with the customer's accounts.

The login steps call the same use cases as the REST login (`customer_auth.start_login`, `finish_login`): a
wrong password or code is counted toward the lockout and committed before the page shows the refusal.
"""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from corebank.channels import customer_auth, identity, me
from corebank.channels.identity_schemas import (
    LoginRequest,
    OnlineEnrollmentFinish,
    OnlineEnrollmentStart,
    RefreshRequest,
    SecondFactor,
)
from corebank.kernel.errors import CoreBankError
from corebank.web.pages import i18n
from corebank.web.pages.bank_session import (
    BankActor,
    end_bank_session,
    end_pending_login,
    page_language,
    pending_login,
    refresh_token_of,
    remember_language,
    session_sid,
    start_bank_session,
    start_pending_login,
    validated,
)
from corebank.web.pages.errors import form_error
from corebank.web.pages.render import N_, NavItem, redirect, register_nav, render
from corebank.web.pages.session import check_csrf, check_login_csrf, login_csrf

router = APIRouter(prefix="/bank", include_in_schema=False)
register_nav(NavItem("bank", N_("Banking"), N_("My accounts"), "/bank", None, order=0))


def safe_next(value: str | None) -> str:
    """Only an internet banking path may be the page to return to after signing in."""
    door = ("/bank/login", "/bank/logout", "/bank/enroll")
    if value and value.startswith("/bank") and "\\" not in value and not value.startswith(door):
        return value
    return "/bank"


def _login_form(
    request: Request,
    *,
    next_url: str,
    error: dict[str, str] | None = None,
    username: str = "",
    status: int = 200,
) -> Response:
    request.state.csrf = login_csrf(request)
    ctx = {"next": safe_next(next_url), "error": error, "username": username}
    return render(request, "bank/login.html", ctx, status=status, area="bank", actor=None)


@router.get("/login")
def login_page(request: Request, next: str = "/bank", lang: str | None = None) -> Response:
    if lang:
        remember_language(request, lang)
    else:
        page_language(request)
    return _login_form(request, next_url=next)


@router.post("/login", dependencies=[Depends(check_login_csrf)])
async def login_submit(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form()] = "/bank",
) -> Response:
    page_language(request)
    bank = request.app.state.bank
    try:
        cmd = validated(LoginRequest, login_name=username.strip(), password=password, channel="internet")
        started, refusal = await run_in_threadpool(bank.run, customer_auth.start_login, cmd)
    except CoreBankError as exc:
        started, refusal = None, exc
    if refusal is not None or started is None:
        view = form_error(refusal) if refusal is not None else None
        return _login_form(request, next_url=next, error=view, username=username, status=401)
    start_pending_login(request, started.login_ticket, started.method, started.phone_masked, safe_next(next))
    return redirect("/bank/login/code")


def _code_form(
    request: Request, pending: dict[str, object], *, error: dict[str, str] | None = None, status: int = 200
) -> Response:
    request.state.csrf = login_csrf(request)
    ctx = {"method": pending.get("m"), "phone_masked": pending.get("p"), "error": error}
    return render(request, "bank/login_code.html", ctx, status=status, area="bank", actor=None)


@router.get("/login/code")
def code_page(request: Request) -> Response:
    page_language(request)
    pending = pending_login(request)
    if pending is None:
        return redirect(
            "/bank/login", text=i18n.gettext("Sign in again: the code has expired."), kind="error"
        )
    return _code_form(request, pending)


@router.post("/login/code", dependencies=[Depends(check_login_csrf)])
async def code_submit(request: Request, code: Annotated[str, Form(max_length=32)] = "") -> Response:
    page_language(request)
    pending = pending_login(request)
    if pending is None:
        return redirect(
            "/bank/login", text=i18n.gettext("Sign in again: the code has expired."), kind="error"
        )
    bank = request.app.state.bank
    try:
        cmd = validated(SecondFactor, login_ticket=str(pending["t"]), code=code.strip())
        opened, refusal = await run_in_threadpool(bank.run, customer_auth.finish_login, cmd)
    except CoreBankError as exc:
        opened, refusal = None, exc
    if refusal is not None or opened is None:
        view = form_error(refusal) if refusal is not None else None
        return _code_form(request, pending, error=view, status=401)
    end_pending_login(request)
    start_bank_session(request, opened.access_token, opened.refresh_token, opened.refresh_expires_at)
    return redirect(str(pending.get("n") or "/bank"))


@router.post("/logout")
def logout(request: Request, actor: BankActor) -> Response:
    """Sign out: the e-banking session ends in the bank's books and the cookie is dropped."""
    refresh = refresh_token_of(request)
    if refresh:
        # A session already ended (expired, or logged out elsewhere) leaves nothing to end.
        with contextlib.suppress(CoreBankError):
            request.app.state.bank.run(customer_auth.logout, actor, RefreshRequest(refresh_token=refresh))
    end_bank_session(request)
    return redirect("/bank/login", text=i18n.gettext("You have signed out."))


@router.post("/language")
async def language(
    request: Request, language: Annotated[str, Form()] = "", back: Annotated[str, Form()] = ""
) -> Response:
    """Switch the language (kept in the corebank_lang cookie), signed in or not."""
    sid = session_sid(request)
    if sid is not None:
        await check_csrf(request, request.app.state.bank.settings.jwt_secret, sid)
    else:
        await check_login_csrf(request)
    remember_language(request, language)
    target = back if back.startswith(("/bank/login", "/bank/enroll")) else safe_next(back)
    return redirect(target)


# ------------------------------------------------------------------------------------------- enrollment


def _enroll_form(
    request: Request, ctx: dict[str, object], *, error: dict[str, str] | None = None, status: int = 200
) -> Response:
    request.state.csrf = login_csrf(request)
    return render(
        request, "bank/enroll.html", {**ctx, "error": error}, status=status, area="bank", actor=None
    )


@router.get("/enroll")
def enroll_page(request: Request, lang: str | None = None) -> Response:
    """Online enrollment, step 1: an account number, the ID number and the phone on file."""
    if lang:
        remember_language(request, lang)
    else:
        page_language(request)
    return _enroll_form(request, {"step": 1})


@router.post("/enroll", dependencies=[Depends(check_login_csrf)])
async def enroll_start(
    request: Request,
    account_number: Annotated[str, Form(max_length=40)] = "",
    id_number: Annotated[str, Form(max_length=40)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    page_language(request)
    bank = request.app.state.bank
    typed = {"step": 1, "account_number": account_number, "id_number": id_number, "phone": phone}
    try:
        cmd = validated(
            OnlineEnrollmentStart,
            account_number=account_number.strip(),
            id_number=id_number.strip(),
            phone=phone.strip(),
            channel="internet",
        )
        started, refusal = await run_in_threadpool(bank.run, identity.start_online_enrollment, cmd)
    except CoreBankError as exc:
        started, refusal = None, exc
    if refusal is not None or started is None:
        view = form_error(refusal) if refusal is not None else None
        return _enroll_form(request, typed, error=view, status=refusal.status if refusal else 422)
    ctx = {"step": 2, "enrollment_id": started.enrollment_id, "phone_masked": started.phone_masked}
    return _enroll_form(request, ctx)


@router.post("/enroll/finish", dependencies=[Depends(check_login_csrf)])
async def enroll_finish(
    request: Request,
    enrollment_id: Annotated[str, Form(max_length=80)] = "",
    code: Annotated[str, Form(max_length=32)] = "",
    login_name: Annotated[str, Form(max_length=40)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    password2: Annotated[str, Form(max_length=256)] = "",
    phone_masked: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    page_language(request)
    bank = request.app.state.bank
    ctx = {"step": 2, "enrollment_id": enrollment_id, "phone_masked": phone_masked, "login_name": login_name}
    if password != password2:
        mismatch = {
            "code": "PASSWORDS_DIFFER",
            "title": i18n.gettext("The two passwords are not the same."),
            "detail": "",
        }
        return _enroll_form(request, ctx, error=mismatch, status=422)
    try:
        cmd = validated(
            OnlineEnrollmentFinish,
            enrollment_id=enrollment_id,
            code=code.strip(),
            login_name=login_name.strip(),
            password=password,
        )
        done, refusal = await run_in_threadpool(bank.run, identity.finish_online_enrollment, cmd)
    except CoreBankError as exc:
        done, refusal = None, exc
    if refusal is not None or done is None:
        view = form_error(refusal) if refusal is not None else None
        return _enroll_form(request, ctx, error=view, status=refusal.status if refusal else 422)
    return redirect(
        "/bank/login",
        text=i18n.gettext("You are enrolled in internet banking as %(name)s. Sign in now.")
        % {"name": done.login_name},
    )


# ------------------------------------------------------------------------------------------- home


@router.get("")
def home(request: Request, actor: BankActor) -> Response:
    """The customer's accounts with their balances."""
    mine = request.app.state.bank.run(me.my_accounts, actor, readonly=True)
    return render(request, "bank/home.html", {"accounts": mine}, area="bank")
