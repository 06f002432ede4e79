"""ASGI entry for uvicorn workers: `uvicorn --factory corebank.web.asgi:make_app`."""

from __future__ import annotations

from fastapi import FastAPI

from corebank.bootstrap import build
from corebank.web.app import create_app


def make_app() -> FastAPI:
    """Build the bank from the environment and wrap it in the HTTP app (called once per worker)."""
    return create_app(build())
