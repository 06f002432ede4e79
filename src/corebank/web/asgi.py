"""ASGI entry for uvicorn workers: `uvicorn --factory corebank.web.asgi:make_app`."""

from __future__ import annotations

from fastapi import FastAPI

from corebank.bootstrap import build
from corebank.web.app import create_app
from corebank.web.routes.channel_monitor import start_channel_flusher
from corebank.web.routes.interbank import start_clearing_sender


def make_app() -> FastAPI:
    """Build the bank from the environment and wrap it in the HTTP app (called once per worker); the worker
    also sends interbank payments to clearing in the background and writes channel statistics for the monitor."""
    bank = build()
    app = create_app(bank)
    start_clearing_sender(app, bank)
    start_channel_flusher(app, bank)
    return app
