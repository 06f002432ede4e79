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


def install(app: FastAPI) -> None:
    """Register the handlers."""

    @app.exception_handler(CoreBankError)
    async def _business(_request: Request, exc: CoreBankError) -> JSONResponse:
        return problem(exc.status, exc.code, exc.title, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        on_amount = any(str(e["loc"][-1]) in AMOUNT_FIELDS for e in errors if e["loc"])
        code = "INVALID_AMOUNT" if on_amount else "VALIDATION_ERROR"
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}" for e in errors)
        return problem(422, code, "The request is not valid", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 401: "NOT_AUTHENTICATED"}.get(
            exc.status_code, "HTTP_ERROR"
        )
        return problem(exc.status_code, code, str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return problem(
            500, "INTERNAL_ERROR", "Something went wrong", "the error was logged; nothing was changed"
        )
