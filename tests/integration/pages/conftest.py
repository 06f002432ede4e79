"""Fixtures for the consoles' pages: a signed-in browser session per staff member, over the real app and database."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class PageClient:
    """A browser-like client: keeps cookies, reads the CSRF token off each page and sends it with forms."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = ""

    def get(self, url: str, **kw: Any) -> httpx.Response:
        r = self.client.get(url, **kw)
        self._remember(r)
        return r

    def post(
        self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kw: Any
    ) -> httpx.Response:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf", self.csrf)
        r = self.client.post(url, data=form, **kw)
        self._remember(r)
        return r

    def _remember(self, r: httpx.Response) -> None:
        m = CSRF.search(r.text) if r.headers.get("content-type", "").startswith("text/html") else None
        if m:
            self.csrf = m.group(1)


@pytest.fixture
def pages(app_client: TestClient) -> Iterator[Callable[[], PageClient]]:
    """pages() -> a new anonymous browser (its own cookie jar) on the shared app."""
    opened: list[TestClient] = []

    def make() -> PageClient:
        c = TestClient(app_client.app, follow_redirects=True)
        opened.append(c)
        return PageClient(c)

    yield make
    for c in opened:
        c.close()


@pytest.fixture
def console(pages: Callable[[], PageClient], staff) -> Callable[[str], PageClient]:  # type: ignore[no-untyped-def]
    """console('teller') -> a browser signed in to /console as that staff member."""

    def login(name: str) -> PageClient:
        b = pages()
        b.get("/console/login")
        r = b.post("/console/login", {"username": name, "password": staff[name].password, "next": "/console"})
        assert r.status_code == 200, r.text[:500]
        assert r.url.path == "/console"
        return b

    return login
