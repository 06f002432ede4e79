"""Back office, channels: the channel registry (open and close), the fee table, the limit table, the fee quote
and the channel monitor. Reading needs channel.read; changing needs channel.admin (the channel manager's), as
the REST routes in `web/routes/channels.py` do. Tellers hold channel.read, so /console/fees shows them the fee
table a back-office change has just written, and quotes a fee before a counter transaction."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from corebank.bootstrap import Bank
from corebank.channels import CHANNELS, limits, monitoring, registry
from corebank.channels.limit_schemas import LimitRuleSet
from corebank.channels.registry_errors import InvalidLimit
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.products import fee_schedule
from corebank.products.fee_schemas import FeeQuote, FeeQuoteAsk, FeeRuleSet
from corebank.security import Actor, P
from corebank.web.deps import get_bank
from corebank.web.pages.errors import form_error
from corebank.web.pages.i18n import _
from corebank.web.pages.render import N_, NavItem, redirect, register_nav, render
from corebank.web.pages.session import console_page

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[Actor, Depends(console_page(P.CHANNEL_READ))]
Admin = Annotated[Actor, Depends(console_page(P.CHANNEL_ADMIN))]

register_nav(
    NavItem("console", N_("Channels"), N_("Channel registry"), "/console/channels", P.CHANNEL_READ, 40)
)
register_nav(
    NavItem("console", N_("Channels"), N_("Channel monitor"), "/console/channels/monitor", P.CHANNEL_READ, 41)
)
register_nav(NavItem("console", N_("Channels"), N_("Fees"), "/console/fees", P.CHANNEL_READ, 42))

# Names shown for the registry's codes (the codes themselves stay visible next to them).
CHANNEL_NAMES = {
    "counter": N_("Counter"),
    "internet": N_("Internet banking"),
    "mobile": N_("Mobile banking"),
    "atm": N_("ATM"),
    "pos": N_("POS"),
    "phone": N_("Phone banking"),
    "open_api": N_("Open API"),
    "*": N_("any"),
}
TX_NAMES = {
    "login": N_("Sign-in"),
    "transfer": N_("Transfer"),
    "interbank": N_("Interbank transfer"),
    "bill_payment": N_("Bill payment"),
    "time_deposit": N_("Time deposit"),
    "loan_application": N_("Loan application"),
    "points_redeem": N_("Points redemption"),
    "withdrawal": N_("Withdrawal"),
    "balance_inquiry": N_("Balance inquiry"),
    "purchase": N_("Purchase"),
    "card": N_("Card"),
}
TIERS = ("standard", "gold", "vip")
TIER_NAMES = {"standard": N_("standard"), "gold": N_("gold"), "vip": N_("vip"), "*": N_("any")}
STATUS_NAMES = (N_("open"), N_("closed"))


class NotConfirmed(InvalidRequest):
    code = "CONFIRMATION_REQUIRED"
    title = N_("Tick the box to confirm the change")


def _opt(text: str) -> str | None:
    text = text.strip()
    return text or None


def _fee_defaults(bank: Bank) -> dict[str, Any]:
    return {
        "tx_type": "interbank",
        "channel": "counter",
        "tier": "*",
        "branch_code": "*",
        "band_upto": "",
        "fixed_fee": "",
        "rate": "0",
        "cap": "",
        "currency": bank.settings.base_currency,
        "active": True,
    }


def _quote_defaults(bank: Bank, actor: Actor) -> dict[str, Any]:
    return {
        "tx_type": "interbank",
        "channel": "counter",
        "tier": "standard",
        "branch_code": actor.branch_code,
        "amount": "",
        "currency": bank.settings.base_currency,
    }


def _common(bank: Bank) -> dict[str, Any]:
    return {
        "channels": CHANNELS,
        "channel_names": CHANNEL_NAMES,
        "tx_types": registry.TX_TYPES,
        "tx_names": TX_NAMES,
        "tiers": TIERS,
        "tier_names": TIER_NAMES,
        "fee_channels": fee_schedule.FEE_CHANNELS,
        "strengths": limits.STRENGTHS,
        "base_currency": bank.settings.base_currency,
    }


def _channels_page(request: Request, actor: Actor, *, status: int = 200, **extra: Any) -> Response:
    """The registry page with whatever form state `extra` brings (an error and the input of one form)."""
    bank = get_bank(request)
    ctx: dict[str, Any] = {
        **_common(bank),
        "registry": bank.run(registry.list_channels, actor, readonly=True),
        "fees": bank.run(fee_schedule.list_fee_rules, actor, None, readonly=True),
        "limits": bank.run(limits.list_limit_rules, actor, None, readonly=True),
        "fee_form": _fee_defaults(bank),
        "quote_form": _quote_defaults(bank, actor),
        "limit_form": {
            "channel": "internet",
            "tx_type": "transfer",
            "tier": "*",
            "account_class": "0",
            "strength": "*",
            "currency": bank.settings.base_currency,
            "single": "",
            "daily": "",
            "yearly": "",
            "count": "",
        },
        "change_form": {"channel": "internet", "tx_type": "*", "reason": ""},
        "can_admin": actor.can(P.CHANNEL_ADMIN),
        "quote_action": "/console/channels/quote",
    }
    ctx.update(extra)
    return render(request, "console/backoffice/channels.html", ctx, status=status)


@router.get("/channels")
def channels(request: Request, actor: Reader, edit: int | None = None) -> Response:
    extra: dict[str, Any] = {}
    if edit is not None and actor.can(P.CHANNEL_ADMIN):
        rows = get_bank(request).run(fee_schedule.list_fee_rules, actor, None, readonly=True)
        row = next((r for r in rows if r.id == edit), None)
        if row is not None:
            extra["fee_form"] = {
                "tx_type": row.tx_type,
                "channel": row.channel,
                "tier": row.tier,
                "branch_code": row.branch_code,
                "band_upto": row.band_upto or "",
                "fixed_fee": row.fixed_fee,
                "rate": row.rate,
                "cap": row.cap or "",
                "currency": row.currency,
                "active": row.active,
            }
            extra["fee_editing"] = True
    return _channels_page(request, actor, **extra)


@router.post("/channels/change")
def change_channel(
    request: Request,
    actor: Admin,
    channel: Annotated[str, Form()],
    action: Annotated[str, Form()],
    tx_type: Annotated[str, Form()] = "*",
    reason: Annotated[str, Form(max_length=200)] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Close or open a channel, or one transaction type on it (the same service calls as the REST route)."""
    bank = get_bank(request)
    form = {"channel": channel, "tx_type": tx_type, "reason": reason}
    try:
        if action not in ("open", "close"):
            raise InvalidRequest(f"action {action!r} is not open or close")
        if confirm != "yes":
            raise NotConfirmed("tick the confirmation box before opening or closing a channel")
        fn = registry.close_channel if action == "close" else registry.open_channel
        bank.run(fn, actor, channel, None if tx_type in ("", "*") else tx_type, reason)
    except CoreBankError as exc:
        return _channels_page(
            request, actor, status=exc.status, change_error=form_error(exc), change_form=form
        )
    what = channel if tx_type in ("", "*") else f"{channel} / {tx_type}"
    text = (_("Closed: %(what)s") if action == "close" else _("Opened: %(what)s")) % {"what": what}
    return redirect("/console/channels", text=text)


@router.post("/channels/fees")
def set_fee(
    request: Request,
    actor: Admin,
    tx_type: Annotated[str, Form(max_length=32)],
    channel: Annotated[str, Form()] = "*",
    tier: Annotated[str, Form()] = "*",
    branch_code: Annotated[str, Form()] = "*",
    band_upto: Annotated[str, Form()] = "",
    fixed_fee: Annotated[str, Form()] = "0",
    rate: Annotated[str, Form()] = "0",
    cap: Annotated[str, Form()] = "",
    currency: Annotated[str, Form()] = "",
    active: Annotated[str, Form()] = "",
) -> Response:
    """Create or replace one band of a fee rule (fee_schedule.set_fee_rule, as PUT /api/v1/channels/fees)."""
    bank = get_bank(request)
    form: dict[str, Any] = {
        "tx_type": tx_type.strip(),
        "channel": channel,
        "tier": tier,
        "branch_code": branch_code.strip() or "*",
        "band_upto": band_upto.strip(),
        "fixed_fee": fixed_fee.strip(),
        "rate": rate.strip(),
        "cap": cap.strip(),
        "currency": currency.strip().upper(),
        "active": active == "yes",
    }
    try:
        cmd = FeeRuleSet(
            tx_type=form["tx_type"],
            channel=channel,
            tier=tier,
            branch_code=form["branch_code"],
            band_upto=_opt(band_upto),
            fixed_fee=form["fixed_fee"] or "0",
            rate=form["rate"] or "0",
            cap=_opt(cap),
            currency=_opt(form["currency"]),
            active=form["active"],
        )
        saved = bank.run(fee_schedule.set_fee_rule, actor, cmd)
    except CoreBankError as exc:
        return _channels_page(
            request, actor, status=exc.status, fee_error=form_error(exc), fee_form=form, fee_editing=True
        )
    return redirect(
        "/console/channels#fees",
        text=_("Fee saved: %(tx)s, fixed fee %(fee)s %(cur)s")
        % {"tx": saved.tx_type, "fee": saved.fixed_fee, "cur": saved.currency},
    )


@router.post("/channels/limits")
def set_limit(
    request: Request,
    actor: Admin,
    channel: Annotated[str, Form()],
    tx_type: Annotated[str, Form()],
    tier: Annotated[str, Form()] = "*",
    account_class: Annotated[str, Form()] = "0",
    strength: Annotated[str, Form()] = "*",
    currency: Annotated[str, Form()] = "",
    single: Annotated[str, Form()] = "",
    daily: Annotated[str, Form()] = "",
    yearly: Annotated[str, Form()] = "",
    count: Annotated[str, Form()] = "",
) -> Response:
    """Set one row of the bank's limit table (limits.set_limit_rule, as PUT /api/v1/channels/limits)."""
    bank = get_bank(request)
    form = {
        "channel": channel,
        "tx_type": tx_type,
        "tier": tier,
        "account_class": account_class,
        "strength": strength,
        "currency": currency.strip().upper(),
        "single": single.strip(),
        "daily": daily.strip(),
        "yearly": yearly.strip(),
        "count": count.strip(),
    }
    try:
        if not account_class.strip().isdigit():
            raise InvalidLimit(f"account class {account_class!r} is not 0 (any), 1, 2 or 3")
        if form["count"] and not form["count"].lstrip("-").isdigit():
            raise InvalidLimit(f"the count limit {count!r} is not a whole number")
        cmd = LimitRuleSet(
            channel=channel,
            tx_type=tx_type,
            tier=tier,
            account_class=int(account_class),
            strength=strength,
            currency=_opt(form["currency"]),
            single=_opt(single),
            daily=_opt(daily),
            yearly=_opt(yearly),
            count=int(form["count"]) if form["count"] else None,
        )
        bank.run(limits.set_limit_rule, actor, cmd)
    except CoreBankError as exc:
        return _channels_page(request, actor, status=exc.status, limit_error=form_error(exc), limit_form=form)
    return redirect(
        "/console/channels#limits", text=_("Limit saved: %(ch)s / %(tx)s") % {"ch": channel, "tx": tx_type}
    )


def _quote(
    request: Request, actor: Actor, form: dict[str, Any]
) -> tuple[FeeQuote | None, dict[str, str] | None, int]:
    try:
        ask = FeeQuoteAsk(
            tx_type=form["tx_type"],
            channel=form["channel"],
            tier=form["tier"],
            branch_code=form["branch_code"],
            amount=form["amount"],
            currency=_opt(form["currency"]),
        )
        return get_bank(request).run(fee_schedule.quote_fee, actor, ask, readonly=True), None, 200
    except CoreBankError as exc:
        return None, form_error(exc), exc.status


def _quote_form(
    tx_type: str, channel: str, tier: str, branch_code: str, amount: str, currency: str
) -> dict[str, Any]:
    return {
        "tx_type": tx_type.strip(),
        "channel": channel,
        "tier": tier,
        "branch_code": branch_code.strip(),
        "amount": amount.strip(),
        "currency": currency.strip().upper(),
    }


@router.post("/channels/quote")
def channels_quote(
    request: Request,
    actor: Reader,
    tx_type: Annotated[str, Form()],
    amount: Annotated[str, Form()],
    channel: Annotated[str, Form()] = "counter",
    tier: Annotated[str, Form()] = "standard",
    branch_code: Annotated[str, Form()] = "0001",
    currency: Annotated[str, Form()] = "",
) -> Response:
    form = _quote_form(tx_type, channel, tier, branch_code, amount, currency)
    quote, error, status = _quote(request, actor, form)
    return _channels_page(request, actor, status=status, quote=quote, quote_error=error, quote_form=form)


# ---------------------------------------------------------------- the fee table as a teller reads it


def _fees_page(request: Request, actor: Actor, *, status: int = 200, **extra: Any) -> Response:
    bank = get_bank(request)
    ctx: dict[str, Any] = {
        **_common(bank),
        "fees": bank.run(fee_schedule.list_fee_rules, actor, None, readonly=True),
        "quote_form": _quote_defaults(bank, actor),
        "quote_action": "/console/fees/quote",
    }
    ctx.update(extra)
    return render(request, "console/backoffice/fees.html", ctx, status=status)


@router.get("/fees")
def fees(request: Request, actor: Reader) -> Response:
    return _fees_page(request, actor)


@router.post("/fees/quote")
def fees_quote(
    request: Request,
    actor: Reader,
    tx_type: Annotated[str, Form()],
    amount: Annotated[str, Form()],
    channel: Annotated[str, Form()] = "counter",
    tier: Annotated[str, Form()] = "standard",
    branch_code: Annotated[str, Form()] = "0001",
    currency: Annotated[str, Form()] = "",
) -> Response:
    form = _quote_form(tx_type, channel, tier, branch_code, amount, currency)
    quote, error, status = _quote(request, actor, form)
    return _fees_page(request, actor, status=status, quote=quote, quote_error=error, quote_form=form)


# ---------------------------------------------------------------- the monitor

WINDOWS = (15, 60, 240, 1440)


@router.get("/channels/monitor")
def monitor(request: Request, actor: Reader, minutes: int = 60) -> Response:
    """Requests, outcomes, response codes and latency per channel over the last `minutes`."""
    bank = get_bank(request)
    try:
        metrics = bank.run(monitoring.channel_metrics, actor, minutes, None, readonly=True)
    except CoreBankError as exc:
        return render(
            request,
            "console/backoffice/monitor.html",
            {
                "error": form_error(exc),
                "metrics": None,
                "windows": WINDOWS,
                "minutes": minutes,
                "chart": "{}",
            },
            status=exc.status,
        )
    chart = {
        "labels": [_(CHANNEL_NAMES.get(c.channel, c.channel)) for c in metrics.channels],
        "datasets": [
            {"label": _("Succeeded"), "data": [c.ok for c in metrics.channels]},
            {"label": _("Refused"), "data": [c.refused for c in metrics.channels]},
            {"label": _("Errors"), "data": [c.errors for c in metrics.channels]},
        ],
        "p95": [c.p95_ms for c in metrics.channels],
        "p95_label": _("p95 latency (ms)"),
    }
    return render(
        request,
        "console/backoffice/monitor.html",
        {
            "metrics": metrics,
            "windows": WINDOWS,
            "minutes": minutes,
            "channel_names": CHANNEL_NAMES,
            "tx_names": TX_NAMES,
            "chart": json.dumps(chart, ensure_ascii=False).replace("</", "<\\/"),
        },
    )
