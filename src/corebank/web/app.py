"""The FastAPI application factory."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

import corebank
from corebank.bootstrap import Bank
from corebank.channels import monitoring
from corebank.db.models import BankState
from corebank.db.uow import UnitOfWork
from corebank.web import errors
from corebank.web.channel_metrics import ChannelMetricsMiddleware
from corebank.web.metrics import Metrics, MetricsMiddleware
from corebank.web.pages import install as install_pages
from corebank.web.routes import (
    accounts,
    atm_terminals,
    atm_transfers,
    auth,
    base_rates,
    bulk_payments,
    calendar,
    camt,
    cards,
    channel_monitor,
    channels,
    clearing_inbound,
    collateral,
    customers,
    ebanking,
    eod,
    interbank,
    ledger,
    loan_statements,
    loan_workouts,
    loans,
    mandates,
    me,
    notice_deposits,
    operations,
    payments,
    points,
    products,
    reconciliation,
    statements,
    tellers,
    time_deposits,
)

DESCRIPTION = """CoreBank REST API. Amounts are decimal strings (`"100.00"`) with a currency; errors are
problem+json with a stable `code`; money-moving POSTs need an `Idempotency-Key` header. Log in with
`POST /api/v1/auth/token` (form fields `username`, `password`) and send `Authorization: Bearer <token>`."""


def create_app(bank: Bank) -> FastAPI:
    """Build the HTTP application over a bank."""
    app = FastAPI(title="CoreBank", version=corebank.__version__, description=DESCRIPTION)
    app.state.bank = bank
    metrics = Metrics()
    errors.install(app)
    for r in (
        auth,
        customers,
        accounts,
        statements,
        tellers,
        payments,
        operations,
        ledger,
        products,
        base_rates,
        calendar,
        time_deposits,
        notice_deposits,
        eod,
        loan_statements,
        loan_workouts,
        loans,
        collateral,
        # The bulk routes come before /api/v1/payments/{payment_id}.
        bulk_payments,
        interbank,
        clearing_inbound,
        camt,
        mandates,
        reconciliation,
        # Channels: the monitor's fixed paths come before the registry's /api/v1/channels/{code}.
        channel_monitor,
        channels,
        ebanking,
        me,
        cards,
        atm_terminals,
        atm_transfers,
        points,
    ):
        app.include_router(r.router)

    @app.get("/health", tags=["operations"], summary="Liveness and database reachability")
    def health() -> Any:
        def probe(uow: UnitOfWork) -> Any:
            return uow.session.execute(select(BankState.business_date)).scalar()

        try:
            bd = bank.run(probe, readonly=True)
        except Exception as exc:  # the point of a health check is to report, not raise
            return JSONResponse({"status": "down", "detail": exc.__class__.__name__}, status_code=503)
        return {"status": "ok", "business_date": bd, "version": corebank.__version__}

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics", response_class=Response)
    def metrics_endpoint() -> Response:
        body, ctype = metrics.render()
        return Response(body + monitoring.render(), media_type=ctype)

    @app.get("/noop", include_in_schema=False)
    def noop() -> dict[str, str]:
        """A no-op endpoint: the baseline for the HTTP benchmark."""
        return {"ok": "yes"}

    install_pages(app)
    app.add_middleware(ChannelMetricsMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app
