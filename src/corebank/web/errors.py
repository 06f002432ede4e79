"""One mapping from typed errors to RFC 9457 problem+json responses with stable codes."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from corebank.kernel.errors import CoreBankError

log = logging.getLogger("corebank.web")
PROBLEM = "application/problem+json"
AMOUNT_FIELDS = {
    "amount",
    "counted",
    "opening_cash",
    "opening_deposit",
    "principal",
    "retained_balance",
    "value",
    "pledged_amount",
    "guaranteed_amount",
    "monthly_income",
    "monthly_debt_payments",
    "promise_amount",
}


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response."""
    body = {
        "type": f"https://corebank.dev/problems/{code.lower().replace('_', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _page(request: Request, status: int, code: str, title: str, detail: str) -> Any:
    """The consoles' pages (/console, /bank) answer errors with a page, not problem+json (see web.pages.errors)."""
    hook = getattr(request.app.state, "page_error", None)
    return None if hook is None else hook(request, status, code, title, detail)


def install(app: FastAPI) -> None:
    """Register the handlers."""

    @app.exception_handler(CoreBankError)
    async def _business(request: Request, exc: CoreBankError) -> Any:
        page = _page(request, exc.status, exc.code, exc.title, exc.detail)
        if page is not None:
            return page
        return problem(exc.status, exc.code, exc.title, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Any:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        on_amount = any(str(e["loc"][-1]) in AMOUNT_FIELDS for e in errors if e["loc"])
        code = "INVALID_AMOUNT" if on_amount else "VALIDATION_ERROR"
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}" for e in errors)
        page = _page(request, 422, code, "The request is not valid", detail)
        if page is not None:
            return page
        return problem(422, code, "The request is not valid", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Any:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 401: "NOT_AUTHENTICATED"}.get(
            exc.status_code, "HTTP_ERROR"
        )
        title = {404: "Not found", 405: "This action is not allowed here"}.get(
            exc.status_code, str(exc.detail)
        )
        page = _page(request, exc.status_code, code, title, str(exc.detail))
        if page is not None:
            return page
        return problem(exc.status_code, code, str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Any:
        log.exception("unhandled error")
        page = _page(request, 500, "INTERNAL_ERROR", "Something went wrong", "the error was logged")
        if page is not None:
            return page
        return problem(
            500, "INTERNAL_ERROR", "Something went wrong", "the error was logged; nothing was changed"
        )
