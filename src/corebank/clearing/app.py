"""The clearing house over HTTP (the contract in the issue's brief): messages in, pacs.002 out, settlement
files, participants and the admin levers. Background loops run only while the app's lifespan runs (under
uvicorn, or `with TestClient(app)`): BEPS netting every `beps_interval_seconds` and the delivery loop."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import FastAPI, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from corebank.clearing.config import ClearingSettings
from corebank.clearing.delivery import Deliver
from corebank.clearing.service import ClearingHouse
from corebank.iso20022 import Iso20022Error
from corebank.kernel.clock import WallClock
from corebank.kernel.errors import CoreBankError, InvalidRequest

log = logging.getLogger("corebank.clearing")
PROBLEM = "application/problem+json"

Token = Annotated[str | None, Header(alias="X-Clearing-Token")]
AdminToken = Annotated[str | None, Header(alias="X-Clearing-Admin-Token")]


class ParticipantIn(BaseModel):
    """A member bank to admit."""

    code: str = Field(pattern=r"^\d{12}$")
    name: str = Field(min_length=1, max_length=140)
    url: str = Field(min_length=8, max_length=500)
    token: str = Field(min_length=8, max_length=200)
    balance: str = Field(default="0.00", pattern=r"^\d+(\.\d{1,2})?$")


class ParticipantOut(BaseModel):
    code: str
    name: str
    url: str
    balance: str
    status: str


def _problem(status: int, code: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"https://corebank.dev/problems/{code.lower().replace('_', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


class _Loop:
    """A daemon thread running `step` every `interval` seconds (sooner when `wake` is set) until stopped."""

    def __init__(self, name: str, step: Callable[[], object], interval: float, wake: threading.Event | None):
        self.step, self.interval, self.wake = step, interval, wake
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        while not self.stopping.is_set():
            if self.wake is not None:
                self.wake.wait(self.interval)
                self.wake.clear()
            else:
                self.stopping.wait(self.interval)
            if self.stopping.is_set():
                return
            try:
                self.step()
            except Exception:  # a loop that dies silently would stop the clearing house: log and go on
                log.exception("%s failed; trying again next time", self.thread.name)

    def stop(self) -> None:
        self.stopping.set()
        if self.wake is not None:
            self.wake.set()
        self.thread.join(timeout=10)


def create_app(
    settings: ClearingSettings, *, deliver: Deliver | None = None, clock: WallClock | None = None
) -> FastAPI:
    """The simulator's FastAPI app; `app.state.house` is its `ClearingHouse` (for tests: `settle_beps()`,
    `deliver_pending()`). `deliver` replaces the HTTP push (e.g. to route it to in-process bank apps)."""
    house = ClearingHouse(settings, deliver=deliver, clock=clock)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        loops: list[_Loop] = []
        if settings.beps_interval_seconds > 0:
            loops.append(_Loop("beps-netting", house.settle_beps, settings.beps_interval_seconds, None))
        if settings.delivery_interval_seconds > 0:
            loops.append(
                _Loop(
                    "deliveries",
                    lambda: house.deliver_pending(force=False),
                    settings.delivery_interval_seconds,
                    house.delivery_wanted,
                )
            )
        for loop in loops:
            loop.thread.start()
        try:
            yield
        finally:
            for loop in loops:
                loop.stop()
            house.close()

    app = FastAPI(
        title="CNAPS clearing house simulator",
        version="1.0",
        description="HVPS (real-time gross) and BEPS (netted batches) for CoreBank participants. Banks present "
        "X-Clearing-Token; admin calls X-Clearing-Admin-Token when one is configured.",
        lifespan=lifespan,
    )
    app.state.house = house

    @app.exception_handler(Iso20022Error)
    async def _iso(_request: Request, exc: Iso20022Error) -> JSONResponse:
        # A document the clearing house cannot read is a bad request (400), whatever the bank's own API says.
        return _problem(400, exc.code, exc.title, exc.detail, errors=exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()
        )
        return _problem(400, "VALIDATION_ERROR", "The request is not valid", detail)

    @app.exception_handler(CoreBankError)
    async def _business(_request: Request, exc: CoreBankError) -> JSONResponse:
        status = 400 if isinstance(exc, InvalidRequest) and exc.status == 422 else exc.status
        return _problem(status, exc.code, exc.title, exc.detail)

    @app.get("/health")
    def health() -> dict[str, str]:
        """Liveness."""
        return {"status": "ok"}

    @app.post("/messages", response_class=Response, responses={200: {"content": {"application/xml": {}}}})
    async def post_message(request: Request, token: Token = None) -> Response:
        """Take a pacs.008.001.09 or pacs.004.001.10; answer a pacs.002.001.11."""
        body = await request.body()
        answer = await run_in_threadpool(house.receive, token, body)
        return Response(answer, media_type="application/xml")

    @app.get("/settlement/{day}", response_class=PlainTextResponse)
    def get_settlement(day: date, token: Token = None) -> PlainTextResponse:
        """The presenting participant's settlement file for settlement date `day`, CSV."""
        code = house.authenticate(token)
        text = house.settlement_csv(code, day)
        return PlainTextResponse(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="settlement-{code}-{day}.csv"'},
        )

    @app.get("/participants")
    def list_participants(admin: AdminToken = None, token: Token = None) -> list[ParticipantOut]:
        """Participants with their settlement balances (admin, or any participant)."""
        if token and not admin:
            house.authenticate(token)
        else:
            house.check_admin(admin)
        return [_out(p) for p in house.participants()]

    @app.post("/participants", status_code=201)
    def add_participant(body: ParticipantIn, admin: AdminToken = None) -> ParticipantOut:
        """Admit a member bank (admin)."""
        house.check_admin(admin)
        return _out(house.add_participant(body.code, body.name, body.url, body.token, body.balance))

    @app.post("/admin/beps/settle")
    def settle_beps(admin: AdminToken = None) -> dict[str, Any]:
        """Run a BEPS netting cycle now."""
        house.check_admin(admin)
        summary = house.settle_beps()
        if summary is None:
            return {"batch_id": None, "transactions": 0}
        out = asdict(summary)
        out["settled_amount"] = str(summary.settled_amount)
        out["net_positions"] = {k: str(v) for k, v in summary.net_positions.items()}
        return out

    @app.post("/admin/deliver")
    def deliver_now(admin: AdminToken = None) -> dict[str, int]:
        """Push every undelivered message now, ignoring the retry back-off."""
        house.check_admin(admin)
        return asdict(house.deliver_pending(force=True))

    return app


def _out(p: Any) -> ParticipantOut:
    return ParticipantOut(code=p.code, name=p.name, url=p.url, balance=f"{p.balance:.2f}", status=p.status)
