"""How long the web consoles' pages take the server, against a no-op request on the same app.

    .venv/bin/python bench/console.py                    # reduced demo bank (300 customers, 20 days)
    .venv/bin/python bench/console.py --full             # the full `corebank init --demo` bank (slower set-up)
    .venv/bin/python bench/console.py --requests 50      # fewer requests per page

Loads the deterministic demo bank into a temp SQLite file through the real loader, builds the HTTP app in
this process (`create_app`, as `corebank serve` does, without the background senders) and drives it through
httpx's ASGI transport, one request at a time, so each figure is the time the app spends on the request (plus
the same small client overhead the baseline has; no network). It signs in to /console as the demo teller
(and, for a page the teller may not see, as the first demo staff user who may), and to /bank as the demo
e-banking customer demo01 with the SMS code from the development outbox.

The pages: every GET route under /console and /bank without a path parameter, plus the parameterised ones it
can fill — the demo customer's and account's view pages, and any other page a fetched page links to. Each page
gets a few warm-up requests then up to --requests (stopping after --seconds); GET /noop is the baseline.
Prints p50/p95/max per page in ms, each page's p50 over the no-op's p50, and the slowest page's p95.
No assertions: a page that answers other than 200 is listed with its status and not timed.
"""

from __future__ import annotations

import sys

# bench/ holds http.py: first on sys.path it would shadow the standard library's http (which httpx imports).
sys.path.append(sys.path.pop(0))

import argparse
import asyncio
import json
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from common import machine, print_table
from corebank import bootstrap, demo
from corebank.channels import sms
from corebank.config import Settings
from corebank.demo.common import DEMO_CUSTOMERS, DEMO_DAYS, DEMO_PASSWORD
from corebank.web.app import create_app

# Who signs in to the console: the teller first, then (for pages the teller may not see) these, in order.
STAFF_ORDER = (
    "teller01",
    "supervisor01",
    "manager01",
    "accountant01",
    "admin01",
    "auditor01",
    "channel01",
    "product01",
    "credit01",
    "approver01",
    "risk01",
)
SKIP = {"/console/login", "/bank/login", "/bank/login/code", "/bank/enroll"}  # the doors, not pages
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
HREF = re.compile(r'href="(/(?:console|bank)/[^"#?]*)')


@dataclass
class Page:
    path: str  # a concrete URL path
    template: str  # the route's path with its {parameters}
    area: str
    user: str = ""
    status: int = 0
    times: list[float] = field(default_factory=list)
    size: int = 0


def page_routes(app: Any) -> list[str]:
    """The GET route paths under /console and /bank (FastAPI keeps included routers lazily)."""
    try:
        from fastapi.routing import iter_route_contexts

        routes: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:  # an older FastAPI lists its routes flat
        routes = list(app.routes)
    out = []
    for r in routes:
        path = getattr(r, "path", None) or ""
        is_get = "GET" in (getattr(r, "methods", None) or ())
        if path.startswith(("/console", "/bank")) and is_get and path not in SKIP and path not in out:
            out.append(path)
    return out


def template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$")


def build_bank(args: argparse.Namespace, var: Path) -> bootstrap.Bank:
    settings = Settings(var_dir=var, environment="development", database_url=f"sqlite:///{var / 'bench.db'}")
    bank = bootstrap.build(settings)
    bootstrap.upgrade_db(bank)
    customers, days = (DEMO_CUSTOMERS, DEMO_DAYS) if args.full else (args.customers, args.days)
    bootstrap.initialize(bank, date.today() - timedelta(days=days))
    print(demo.load(bank, customers=customers, days=days))
    return bank


async def console_client(app: Any, username: str) -> httpx.AsyncClient | None:
    """A client signed in to /console as `username` (None when the sign-in is refused)."""
    c = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
        timeout=60,
    )
    page = await c.get("/console/login")
    token = CSRF.search(page.text)
    form = {
        "username": username,
        "password": DEMO_PASSWORD,
        "next": "/console",
        "csrf": token.group(1) if token else "",
    }
    r = await c.post("/console/login", data=form)
    if r.status_code != 303:
        await c.aclose()
        return None
    return c


async def bank_client(app: Any, bank: bootstrap.Bank, login: str, phone: str) -> httpx.AsyncClient | None:
    """A client signed in to /bank as the e-banking customer `login` (password, then the SMS code)."""
    c = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
        timeout=60,
    )
    page = await c.get("/bank/login")
    token = CSRF.search(page.text)
    if page.status_code != 200 or token is None:
        await c.aclose()
        return None
    form = {"username": login, "password": DEMO_PASSWORD, "next": "/bank", "csrf": token.group(1)}
    r = await c.post("/bank/login", data=form)
    if r.status_code != 303:
        await c.aclose()
        return None
    page = await c.get("/bank/login/code")
    token = CSRF.search(page.text)
    msgs = bank.run(sms.recent_outbox, phone=phone, last=1, readonly=True)
    code = msgs[0].code if msgs else ""
    r = await c.post("/bank/login/code", data={"code": code or "", "csrf": token.group(1) if token else ""})
    if r.status_code != 303:
        await c.aclose()
        return None
    return c


async def timed(c: httpx.AsyncClient, path: str, n: int, seconds: float, warm: int = 5) -> list[float]:
    for _ in range(warm):
        await c.get(path)
    out: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(out) < n and time.perf_counter() < deadline:
        t = time.perf_counter()
        r = await c.get(path)
        await r.aread()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


async def run(args: argparse.Namespace, bank: bootstrap.Bank, var: Path) -> None:
    app = create_app(bank)
    channels = json.loads((var / "demo-channels.json").read_text())
    first = channels["logins"][0]
    seeds = {
        "/console/customers/{number}": f"/console/customers/{first['customer']}",
        "/console/accounts/{number}": f"/console/accounts/{first['account']}",
        "/bank/accounts/{number}": f"/bank/accounts/{first['account']}",
    }
    templates = page_routes(app)
    clients: dict[str, httpx.AsyncClient | None] = {}

    async def client_for(user: str) -> httpx.AsyncClient | None:
        if user not in clients:
            if user.startswith("bank:"):
                clients[user] = await bank_client(app, bank, first["login_name"], first["phone"])
            else:
                clients[user] = await console_client(app, user)
        return clients[user]

    noop = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://testserver"
    )
    pages: list[Page] = []
    links: set[str] = set()
    pending = [t for t in templates if "{" not in t] + [t for t in templates if t in seeds]
    done: set[str] = set()
    unresolved = [t for t in templates if "{" in t and t not in seeds]
    while pending:
        template = pending.pop(0)
        if template in done:
            continue
        done.add(template)
        path = seeds.get(template, template)
        if "{" in path:
            path = next(link for link in sorted(links) if template_regex(template).match(link))
        area = "bank" if template.startswith("/bank") else "console"
        p = Page(path, template, area)
        users = ["bank:" + first["login_name"]] if area == "bank" else list(STAFF_ORDER)
        for user in users:
            c = await client_for(user)
            if c is None:
                continue
            r = await c.get(path)
            p.user, p.status, p.size = user, r.status_code, len(r.content)
            if r.status_code == 200:
                if "html" in r.headers.get("content-type", ""):
                    links.update(HREF.findall(r.text))
                break
            if r.status_code not in (401, 403) and not (
                r.status_code == 303 and "login" in r.headers.get("location", "")
            ):
                break
        pages.append(p)
        for t in list(unresolved):  # a parameterised page becomes measurable once a fetched page links to it
            if any(template_regex(t).match(link) for link in links):
                unresolved.remove(t)
                pending.append(t)

    print(f"{len(pages)} pages found, {sum(p.status == 200 for p in pages)} answer 200; timing...")
    base = await timed(noop, "/noop", args.requests, args.seconds)
    for p in pages:
        if p.status == 200:
            c = clients[p.user]
            assert c is not None
            p.times = await timed(c, p.path, args.requests, args.seconds)
    for c in clients.values():
        if c is not None:
            await c.aclose()
    await noop.aclose()

    noop_p50 = statistics.median(base)
    rows = [["GET /noop (baseline)", "-", "200", str(len(base)), f"{noop_p50:.2f}", f"{pct(base, 0.95):.2f}",
             f"{max(base):.2f}", "1.0", "-"]]  # fmt: skip
    for p in sorted(pages, key=lambda p: (p.status != 200, p.path)):
        if p.times:
            p50 = statistics.median(p.times)
            rows.append(
                [f"GET {p.path}", p.user, str(p.status), str(len(p.times)), f"{p50:.2f}",
                 f"{pct(p.times, 0.95):.2f}", f"{max(p.times):.2f}", f"{p50 / noop_p50:.0f}", f"{p.size // 1024}"]
            )  # fmt: skip
        else:
            rows.append([f"GET {p.path}", p.user, str(p.status), "0", "-", "-", "-", "-", "-"])
    for t in unresolved:
        rows.append([f"GET {t}", "-", "-", "0", "-", "-", "-", "-", "(no link found)"])
    print()
    print_table(["page", "as", "status", "n", "p50 ms", "p95 ms", "max ms", "p50/noop", "KiB"], rows)
    timed_pages = [p for p in pages if p.times]
    if timed_pages:
        slow = max(timed_pages, key=lambda p: pct(p.times, 0.95))
        all_times = [t for p in timed_pages for t in p.times]
        print(
            f"\nslowest page: GET {slow.path} p95 {pct(slow.times, 0.95):.1f} ms "
            f"({pct(slow.times, 0.95) / noop_p50:.0f}x the no-op's p50 of {noop_p50:.2f} ms); "
            f"all {len(timed_pages)} pages: p50 {statistics.median(all_times):.1f} ms, "
            f"p95 {pct(all_times, 0.95):.1f} ms"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="the full demo (1,000 customers, 60 days)")
    ap.add_argument("--customers", type=int, default=300, help="demo customers (without --full)")
    ap.add_argument("--days", type=int, default=20, help="demo business days (without --full)")
    ap.add_argument("--requests", type=int, default=200, help="timed requests per page at most")
    ap.add_argument("--seconds", type=float, default=2.0, help="seconds per page at most")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="corebank-bench-console-") as tmp:
        var = Path(tmp)
        t0 = time.perf_counter()
        bank = build_bank(args, var)
        print(
            f"CoreBank console pages benchmark — SQLite, in-process ASGI (httpx), one request at a time "
            f"(set-up {time.perf_counter() - t0:.1f} s)"
        )
        print(machine())
        try:
            asyncio.run(run(args, bank, var))
        finally:
            bank.dispose()


if __name__ == "__main__":
    main()
