"""The web consoles: the staff console at /console (counter and back office) and internet banking at /bank.

Server-rendered pages (Jinja2, htmx, no build step) over the same use cases the REST API calls, with the same
permissions and object checks. `install` mounts them on the API's application: every module of this package that
has a `router` is included (in name order, after `console`), and registers its own navigation when imported.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from corebank.web.pages import console, errors
from corebank.web.pages.session import CookieMiddleware

STATIC = Path(__file__).resolve().parent.parent / "static"


def install(app: FastAPI) -> None:
    """Serve the consoles and their static files from `app`."""
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(console.router)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name == "console":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            app.include_router(router)
    app.add_middleware(CookieMiddleware)
