"""Back office, the dashboard for managers, accountants and risk: deposits and loans by branch, the daily volume
by channel and the non-performing loan ratio, each as a chart with the same figures in a table. The figures
come from grouped queries (`backoffice_queries`); staff scoped to their branches see their branches only."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from corebank.kernel.money import minor_to_text
from corebank.security import Actor, P
from corebank.web.deps import get_bank
from corebank.web.pages import backoffice_queries as queries
from corebank.web.pages.backoffice_channels import CHANNEL_NAMES
from corebank.web.pages.i18n import _
from corebank.web.pages.render import N_, NavItem, register_nav, render
from corebank.web.pages.session import console_page

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[Actor, Depends(console_page(P.LEDGER_READ))]
DAYS = 7

register_nav(NavItem("console", N_("Books"), N_("Dashboard"), "/console/dashboard", P.LEDGER_READ, 49))


def percent(part: int, whole: int) -> str:
    """`part` ÷ `whole` as a percentage with two decimals, rounded half up ("0.00" when `whole` is zero)."""
    if whole == 0:
        return "0.00"
    return str((Decimal(part) * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


@router.get("/dashboard")
def dashboard(request: Request, actor: Reader) -> Response:
    bank = get_bank(request)
    cur = bank.settings.base_currency
    deposits = bank.run(queries.deposits_by_branch, cur, actor.branches, readonly=True)
    loans = bank.run(queries.loans_by_branch, cur, actor.branches, readonly=True)
    volume = bank.run(
        lambda uow: queries.channel_volume_by_day(uow, DAYS, uow.now),
        readonly=True,
    )
    total_loans = sum(f.total for f in loans)
    total_npl = sum(f.non_performing for f in loans)
    days = sorted({v.day for v in volume})
    channels = sorted({v.channel for v in volume})
    by = {(v.day, v.channel): v.requests for v in volume}
    ctx: dict[str, Any] = {
        "currency": cur,
        "deposits": [
            {
                "code": f.branch_code,
                "name": f.branch_name,
                "count": f.count,
                "total": minor_to_text(f.total, cur),
            }
            for f in deposits
        ],
        "deposits_total": minor_to_text(sum(f.total for f in deposits), cur),
        "loans": [
            {
                "code": f.branch_code,
                "name": f.branch_name,
                "count": f.count,
                "total": minor_to_text(f.total, cur),
                "npl": minor_to_text(f.non_performing, cur),
                "ratio": percent(f.non_performing, f.total),
            }
            for f in loans
        ],
        "loans_total": minor_to_text(total_loans, cur),
        "npl_total": minor_to_text(total_npl, cur),
        "npl_ratio": percent(total_npl, total_loans),
        "days": days,
        "channels": channels,
        "channel_names": CHANNEL_NAMES,
        "volume": by,
        "scoped": actor.branches is not None,
    }
    ctx["balances_chart"] = _json(
        {
            "labels": [f"{d['code']} {d['name']}" for d in ctx["deposits"]],
            "datasets": [{"label": _("Deposits"), "data": [d["total"] for d in ctx["deposits"]]}],
        }
    )
    ctx["loans_chart"] = _json(
        {
            "labels": [f"{d['code']} {d['name']}" for d in ctx["loans"]],
            "datasets": [
                {"label": _("Loans outstanding"), "data": [d["total"] for d in ctx["loans"]]},
                {"label": _("Non-performing"), "data": [d["npl"] for d in ctx["loans"]]},
            ],
        }
    )
    ctx["npl_chart"] = _json(
        {
            "labels": [f"{d['code']} {d['name']}" for d in ctx["loans"]],
            "datasets": [{"label": _("NPL ratio (%)"), "data": [d["ratio"] for d in ctx["loans"]]}],
        }
    )
    ctx["volume_chart"] = _json(
        {
            "labels": days,
            "datasets": [
                {"label": _(CHANNEL_NAMES.get(c, c)), "data": [by.get((d, c), 0) for d in days]}
                for c in channels
            ],
        }
    )
    return render(request, "console/backoffice/dashboard.html", ctx)
