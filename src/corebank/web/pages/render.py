"""Rendering pages: one Jinja environment, the navigation each area registers, and messages after a redirect."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from corebank.security import Actor, P
from corebank.web.pages import i18n

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FLASH_COOKIE = "corebank_flash"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
env.filters["money"] = i18n.money
env.filters["day"] = i18n.day
env.filters["moment"] = i18n.moment
env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES


def N_(message: str) -> str:
    """Mark a string for the catalogs without translating it now (it is translated where it is shown)."""
    return message


@dataclass(frozen=True, slots=True)
class NavItem:
    """A link in an area's navigation, shown to those who hold `permission` (None: everyone signed in)."""

    area: str  # "console" or "bank"
    group: str  # a msgid: the heading the link sits under
    label: str  # a msgid
    href: str
    permission: P | None = None
    order: int = 100


_NAV: list[NavItem] = []


def register_nav(item: NavItem) -> None:
    """Add a link to an area's navigation (each page module registers its own, once, at import)."""
    if item not in _NAV:
        _NAV.append(item)
        _NAV.sort(key=lambda i: (i.order, i.href))


def nav_for(area: str, actor: Actor | None) -> list[tuple[str, list[NavItem]]]:
    """The links `actor` may follow in `area`, grouped in registration order."""
    groups: dict[str, list[NavItem]] = {}
    for item in _NAV:
        if item.area != area:
            continue
        if item.permission is not None and (actor is None or not actor.can(item.permission)):
            continue
        groups.setdefault(item.group, []).append(item)
    return list(groups.items())


def flash_from(request: Request) -> dict[str, str] | None:
    """The message a redirect left for this page ({"kind": "ok"|"error", "text": ..., "code": ...})."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        value = json.loads(unquote(raw))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    area: str = "console",
    actor: Actor | None = None,
) -> HTMLResponse:
    """Render `template` with the page furniture: language, actor, navigation, CSRF token and flash message."""
    state = request.state
    actor = actor if actor is not None else getattr(state, "page_actor", None)
    flash = flash_from(request)
    ctx: dict[str, Any] = {
        "request": request,
        "lang": i18n.current(),
        "html_lang": "zh-CN" if i18n.current() == "zh_CN" else "en",
        "actor": actor,
        "area": area,
        "nav": nav_for(area, actor),
        "csrf": getattr(state, "csrf", ""),
        "flash": flash,
        "path": request.url.path,
        "P": P,
    }
    ctx.update(context or {})
    body = env.get_template(template).render(ctx)
    response = HTMLResponse(body, status_code=status)
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def new_key() -> str:
    """A fresh idempotency key for a money-moving form (a double submit sends the same one and posts once)."""
    return uuid.uuid4().hex


def redirect(url: str, *, text: str | None = None, kind: str = "ok", code: str = "") -> RedirectResponse:
    """A 303 to `url` (after a POST), carrying an already-translated message for the next page to show."""
    response = RedirectResponse(url, status_code=303)
    if text is not None:
        value = quote(json.dumps({"kind": kind, "text": text, "code": code}, ensure_ascii=False))
        response.set_cookie(FLASH_COOKIE, value, path="/", httponly=True, samesite="lax", max_age=60)
    return response
