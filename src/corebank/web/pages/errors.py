"""Errors on the consoles' pages: in the user's language, with the stable code, never a stack trace.

The API's handlers (`corebank.web.errors`) ask this module first for any path under /console or /bank. A missing
or ended session sends the browser to the area's sign-in page; anything else renders the error page.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from corebank.kernel.errors import CoreBankError
from corebank.web.pages import i18n
from corebank.web.pages.render import render

AREAS = {"/console": "console", "/bank": "bank"}
LOGIN = {"console": "/console/login", "bank": "/bank/login"}


def area_of(path: str) -> str | None:
    """ "console" or "bank" for a page path, else None (the API's paths keep problem+json)."""
    for prefix, area in AREAS.items():
        if path == prefix or path.startswith(prefix + "/"):
            return area
    return None


def error_view(code: str, title: str, detail: str = "") -> dict[str, str]:
    """What a page shows of an error: the translated title, the stable code and the detail."""
    shown = detail if detail and detail != title else ""
    return {"code": code, "title": i18n.gettext(title), "detail": shown}


def form_error(exc: CoreBankError | ValidationError) -> dict[str, str]:
    """What a form shows of a refusal: the translated title, the stable code, the detail (a schema's refusal
    is the API's INVALID_REQUEST)."""
    if isinstance(exc, ValidationError):
        errors = exc.errors()
        detail = f"{'.'.join(str(p) for p in errors[0]['loc'])}: {errors[0]['msg']}" if errors else ""
        return error_view("INVALID_REQUEST", "The request is not valid", detail)
    return error_view(exc.code, exc.title, exc.detail)


def form_status(exc: CoreBankError | ValidationError) -> int:
    """The HTTP status a refused form answers with."""
    return 422 if isinstance(exc, ValidationError) else exc.status


def page_error(request: Request, status: int, code: str, title: str, detail: str) -> Response | None:
    """The page for an error on /console or /bank; None for other paths."""
    area = area_of(request.url.path)
    if area is None:
        return None
    if status == 401:
        target = LOGIN[area]
        if request.method == "GET" and request.url.path != target:
            target += "?next=" + quote(
                request.url.path + (f"?{request.url.query}" if request.url.query else "")
            )
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    return render(
        request,
        "error.html",
        {"error": error_view(code, title, detail), "status": status},
        status=status,
        area=area,
    )


def install(app: FastAPI) -> None:
    """Let the API's error handlers hand page paths to `page_error`."""
    app.state.page_error = page_error
