"""The fee table (手续费): the fee for a transaction by type, channel, customer tier, branch and amount band.

A rule is the set of bands (rows of `fee_rules`) sharing a transaction type, channel, tier, branch and
currency; "*" matches any channel, tier or branch. `quote` takes, among the active rows that match the request
and whose band covers the amount (`band_upto` >= amount, or no bound), the most specific one: a row naming the
tier beats one that does not (so a tier's waiver holds on every channel), then one naming the branch, then one
naming the channel; within one rule the lowest band that covers the amount. The fee is `fixed_fee` plus the
amount times `rate`, rounded half up to the minor unit, at most `cap`. No matching row: no fee.

The defaults (DOMAIN.md "Channels, limits and fees") come from the setting `interbank_fee_bands`: counter
interbank transfers CNY 5/10/15/20 up to 10,000/100,000/500,000/1,000,000, then 0.002 % capped at 200;
e-channel transfers free; the VIP tier waived.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import case, or_, select

from corebank import ledger
from corebank.db.base import table_of
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.money import Money, minor_to_text, positive_amount
from corebank.products.fee_models import FeeRule
from corebank.products.fee_schemas import FeeQuote, FeeQuoteAsk, FeeRuleRead, FeeRuleSet
from corebank.security import Actor, P

ANY = "*"
# The channels (as `corebank.channels.CHANNELS`, which sits above products and cannot be imported here).
FEE_CHANNELS = ("counter", "internet", "mobile", "atm", "pos", "phone", "open_api")
FEE_TIERS = ("standard", "gold", "vip")
FREE_E_CHANNELS = ("internet", "mobile", "open_api")
_TX_TYPE = re.compile(r"^[a-z][a-z_]{0,31}$")
_fr = table_of(FeeRule)


class InvalidFeeRule(InvalidRequest):
    code = "INVALID_FEE_RULE"
    title = "The fee rule is not valid"


# ---------------------------------------------------------------- the setting `interbank_fee_bands`


@dataclass(frozen=True, slots=True)
class FeeBands:
    bands: tuple[tuple[Decimal, Decimal], ...]  # (up to and including this amount, fixed fee), ascending
    above_rate: Decimal  # a fraction of the amount (0.002 % = 0.00002)
    above_cap: Decimal


def _dec(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidRequest(f"interbank_fee_bands: {what} {text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise InvalidRequest(f"interbank_fee_bands: {what} {text!r} must be zero or more")
    return value


def parse_fee_bands(text: str) -> FeeBands:
    """Parse "10000=5,100000=10,...,above=0.002%:200"; a malformed one is refused with the reason (never a
    silent zero fee)."""
    bands: list[tuple[Decimal, Decimal]] = []
    rate: Decimal | None = None
    cap = Decimal(0)
    for part in (p.strip() for p in text.split(",") if p.strip()):
        key, sep, value = part.partition("=")
        if not sep:
            raise InvalidRequest(f"interbank_fee_bands: {part!r} is not bound=fee")
        if key.strip() == "above":
            pct, _, cap_text = value.partition(":")
            if not pct.strip().endswith("%"):
                raise InvalidRequest(f"interbank_fee_bands: above={value!r} must be percent%:cap")
            rate = _dec(pct.strip()[:-1], "percentage") / 100
            cap = _dec(cap_text, "cap") if cap_text.strip() else Decimal(0)
        else:
            bands.append((_dec(key, "bound"), _dec(value, "fee")))
    if [b for b, _ in bands] != sorted({b for b, _ in bands}):
        raise InvalidRequest("interbank_fee_bands: bounds must rise")
    if rate is None:
        raise InvalidRequest("interbank_fee_bands: no 'above=percent%:cap' band")
    return FeeBands(tuple(bands), rate, cap)


def default_fee_rows(bands_text: str, currency: str) -> list[dict[str, Any]]:
    """The rows the defaults put in `fee_rules`: the counter's interbank bands from the setting, zero for
    interbank transfers on the e-channels, and a VIP waiver on every channel (minor units)."""
    b = parse_fee_bands(bands_text)

    def minor(v: Decimal) -> int:
        return Money(v, currency).rounded().to_minor()

    def row(
        channel: str, tier: str, band_upto: int | None, fixed: int, rate: Decimal, cap: int | None
    ) -> dict[str, Any]:
        return {
            "tx_type": "interbank",
            "channel": channel,
            "tier": tier,
            "branch_code": ANY,
            "band_upto": band_upto,
            "fixed_fee": fixed,
            "rate": str(rate),
            "cap": cap,
            "currency": currency,
            "active": True,
        }

    rows = [row("counter", ANY, minor(bound), minor(fee), Decimal(0), None) for bound, fee in b.bands]
    rows.append(row("counter", ANY, None, 0, b.above_rate, minor(b.above_cap) if b.above_cap else None))
    rows += [row(ch, ANY, None, 0, Decimal(0), None) for ch in FREE_E_CHANNELS]
    rows.append(row(ANY, "vip", None, 0, Decimal(0), None))
    return rows


def seed_fees(uow: UnitOfWork) -> int:
    """Load the default interbank fees when the table has no interbank rule yet (a bank's own changes are never
    overwritten). Returns how many rows were added."""
    if uow.conn.execute(select(_fr.c.id).where(_fr.c.tx_type == "interbank").limit(1)).first():
        return 0
    s = uow.settings
    rows = [
        {**r, "updated_by": "system", "updated_at": uow.now}
        for r in default_fee_rows(s.interbank_fee_bands, s.base_currency)
    ]
    uow.conn.execute(_fr.insert(), rows)
    return len(rows)


# ---------------------------------------------------------------- quoting


def _fee_of(amount: Money, fixed_fee: int, rate: str, cap: int | None) -> Money:
    """`fixed_fee` (minor units) plus `amount` times `rate`, rounded half up to the minor unit, at most `cap`."""
    fee = Money.from_minor(fixed_fee, amount.currency) + Money(amount.amount * Decimal(rate), amount.currency)
    fee = fee.rounded()
    if cap is not None:
        limit = Money.from_minor(cap, amount.currency)
        if limit < fee:
            fee = limit
    return fee


def quote(
    uow: UnitOfWork, *, tx_type: str, channel: str, tier: str, branch_code: str, amount: Money
) -> Money:
    """The fee for `amount` (zero when no rule applies): the most specific active rule whose band covers the
    amount (the module's rule), fixed fee plus rate, rounded half up to the minor unit, capped."""
    minor = amount.rounded().to_minor()
    row = uow.conn.execute(
        select(_fr.c.fixed_fee, _fr.c.rate, _fr.c.cap)
        .where(
            _fr.c.tx_type == tx_type,
            _fr.c.currency == amount.currency,
            _fr.c.active.is_(True),
            _fr.c.channel.in_((channel, ANY)),
            _fr.c.tier.in_((tier, ANY)),
            _fr.c.branch_code.in_((branch_code, ANY)),
            or_(_fr.c.band_upto.is_(None), _fr.c.band_upto >= minor),
        )
        .order_by(
            case((_fr.c.tier == ANY, 1), else_=0),
            case((_fr.c.branch_code == ANY, 1), else_=0),
            case((_fr.c.channel == ANY, 1), else_=0),
            case((_fr.c.band_upto.is_(None), 1), else_=0),
            _fr.c.band_upto,
        )
        .limit(1)
    ).first()
    if row is None:
        return Money.zero(amount.currency)
    return _fee_of(amount, row.fixed_fee, row.rate, row.cap)


def quote_fee(uow: UnitOfWork, actor: Actor, ask: FeeQuoteAsk) -> FeeQuote:
    """What a transaction would cost (staff: to tell a customer before they confirm)."""
    actor.require(P.CHANNEL_READ)
    amount = positive_amount(ask.amount, ask.currency or uow.settings.base_currency)
    fee = quote(
        uow,
        tx_type=ask.tx_type,
        channel=ask.channel,
        tier=ask.tier,
        branch_code=ask.branch_code,
        amount=amount,
    )
    return FeeQuote(
        tx_type=ask.tx_type,
        channel=ask.channel,
        tier=ask.tier,
        branch_code=ask.branch_code,
        amount=amount.text(),
        fee=fee.text(),
        currency=amount.currency,
    )


# ---------------------------------------------------------------- the fee table (staff)


def _read(r: Any) -> FeeRuleRead:
    cur = r.currency
    return FeeRuleRead(
        id=r.id,
        tx_type=r.tx_type,
        channel=r.channel,
        tier=r.tier,
        branch_code=r.branch_code,
        band_upto=None if r.band_upto is None else minor_to_text(r.band_upto, cur),
        fixed_fee=minor_to_text(r.fixed_fee, cur),
        rate=r.rate,
        cap=None if r.cap is None else minor_to_text(r.cap, cur),
        currency=cur,
        active=r.active,
        updated_by=r.updated_by,
        updated_at=r.updated_at,
    )


def list_fee_rules(uow: UnitOfWork, actor: Actor, tx_type: str | None = None) -> list[FeeRuleRead]:
    """The fee table (or one transaction type's rules), by type, channel, tier, branch and band."""
    actor.require(P.CHANNEL_READ)
    stmt = select(FeeRule)
    if tx_type:
        stmt = stmt.where(FeeRule.tx_type == tx_type)
    rows = uow.session.execute(
        stmt.order_by(
            FeeRule.tx_type,
            FeeRule.currency,
            FeeRule.channel,
            FeeRule.tier,
            FeeRule.branch_code,
            case((FeeRule.band_upto.is_(None), 1), else_=0),
            FeeRule.band_upto,
        )
    ).scalars()
    return [_read(r) for r in rows]


def _money_minor(text: str | None, currency: str, what: str) -> int | None:
    if text is None or not text.strip():
        return None
    minor = Money.of(text, currency).to_minor()
    if minor < 0:
        raise InvalidFeeRule(f"{what} must be zero or more, got {text!r}")
    return minor


def set_fee_rule(uow: UnitOfWork, actor: Actor, cmd: FeeRuleSet) -> FeeRuleRead:
    """Create or replace one band of a fee rule (found by type, channel, tier, branch, currency and band),
    effective for the next transaction; audited with the values before and after. Deactivate a band with
    `active: false`."""
    actor.require(P.CHANNEL_ADMIN)
    if not _TX_TYPE.match(cmd.tx_type):
        raise InvalidFeeRule(f"transaction type {cmd.tx_type!r} is not a transaction type name")
    if cmd.channel != ANY and cmd.channel not in FEE_CHANNELS:
        raise InvalidFeeRule(f"channel {cmd.channel!r} is not * or one of {', '.join(FEE_CHANNELS)}")
    if cmd.tier != ANY and cmd.tier not in FEE_TIERS:
        raise InvalidFeeRule(f"tier {cmd.tier!r} is not * or one of {', '.join(FEE_TIERS)}")
    if cmd.branch_code != ANY and cmd.branch_code not in dict(ledger.branch_tree(uow)):
        raise InvalidFeeRule(f"branch {cmd.branch_code!r} is not * or a branch of this bank")
    cur = cmd.currency or uow.settings.base_currency
    band_upto = _money_minor(cmd.band_upto, cur, "the band's upper bound")
    fixed = _money_minor(cmd.fixed_fee, cur, "the fixed fee") or 0
    cap = _money_minor(cmd.cap, cur, "the cap")
    try:
        rate = Decimal(cmd.rate.strip())
    except InvalidOperation:
        raise InvalidFeeRule(f"rate {cmd.rate!r} is not a decimal fraction such as 0.00002") from None
    if not rate.is_finite() or not Decimal(0) <= rate < Decimal(1):
        raise InvalidFeeRule(f"rate {cmd.rate!r} must be a fraction from 0 up to (not including) 1")
    key = (
        FeeRule.tx_type == cmd.tx_type,
        FeeRule.channel == cmd.channel,
        FeeRule.tier == cmd.tier,
        FeeRule.branch_code == cmd.branch_code,
        FeeRule.currency == cur,
        FeeRule.band_upto.is_(None) if band_upto is None else FeeRule.band_upto == band_upto,
    )
    row = uow.session.execute(select(FeeRule).where(*key)).scalar()
    fields = {"fixed_fee", "rate", "cap", "active"}
    before = _read(row).model_dump(mode="json", include=fields) if row else None
    values = {"fixed_fee": fixed, "rate": str(rate), "cap": cap, "active": cmd.active}
    if row is None:
        row = FeeRule(
            tx_type=cmd.tx_type,
            channel=cmd.channel,
            tier=cmd.tier,
            branch_code=cmd.branch_code,
            band_upto=band_upto,
            currency=cur,
            updated_by=actor.username,
            updated_at=uow.now,
            **values,
        )
        uow.session.add(row)
    else:
        for k, v in values.items():
            setattr(row, k, v)
        row.updated_by, row.updated_at = actor.username, uow.now
    uow.session.flush()
    read = _read(row)
    uow.audit(
        actor,
        "fee.set",
        "fee_rule",
        row.id,
        tx_type=cmd.tx_type,
        channel=cmd.channel,
        tier=cmd.tier,
        branch_code=cmd.branch_code,
        band_upto=read.band_upto,
        currency=cur,
        before=before,
        after=read.model_dump(mode="json", include=fields),
    )
    return read
