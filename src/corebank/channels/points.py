"""Points (积分): earned on card spending and deposit holdings by rule (end of day, `points_jobs`), redeemed
for cash into the customer's own account, expiring `points_expiry_days` after they were earned.

Points are kept in lots (one per source: a day's card spending, a month's holdings, an adjustment), each with
what is left of it and the day it expires; every change is a signed move. A redemption takes the lots that
expire first (FIFO by expiry), and pays points ÷ `points_per_yuan_redeemed` yuan, rounded down to the fen,
as a marketing expense: Dr 6601 operating expense / Cr the customer's account (entry kind `points.redeem`).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, insert, select, update

from corebank import accounts, customers, ledger
from corebank.channels import registry
from corebank.channels.errors import NotYours
from corebank.channels.points_errors import PointsInsufficient, PointsInvalid, PointsRuleInvalid
from corebank.channels.points_models import PointsLot, PointsMove, PointsRule
from corebank.channels.points_schemas import (
    AdjustmentCreate,
    AdjustmentRead,
    PointsAccountRead,
    PointsExpiring,
    PointsMoveRead,
    PointsRuleRead,
    PointsRulesUpdate,
    RedemptionCreate,
    RedemptionRead,
)
from corebank.db import idempotency
from corebank.db.base import table_of
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CurrencyMismatch, InvalidRequest, PermissionDenied
from corebank.kernel.events import Event
from corebank.kernel.money import Money, exponent, minor_to_text
from corebank.ledger import EntryDraft, Leg, chart
from corebank.security import Actor, P

REDEEM_KIND = "points.redeem"
EXPIRING_SOON_DAYS = 30
MAX_RATE = Decimal("10000")
_lots = table_of(PointsLot)
_moves = table_of(PointsMove)
_rules = table_of(PointsRule)


# ---------------------------------------------------------------- rules


def _defaults(uow: UnitOfWork) -> dict[str, tuple[str, Decimal]]:
    s = uow.settings
    return {
        "card_spend": ("card_spend", Decimal(str(s.points_per_yuan_spent))),
        "holding": ("holding", Decimal(str(s.points_per_10k_holding))),
    }


def _effective_rules(uow: UnitOfWork) -> list[PointsRuleRead]:
    """The rules table, and the settings' defaults for the default codes it does not hold yet (seeded lazily:
    a default stands until someone writes a rule of its code)."""
    found = {
        r.code: PointsRuleRead(
            code=r.code,
            kind=r.kind,
            rate=r.rate,
            active=r.active,
            updated_by=r.updated_by,
            updated_at=r.updated_at,
        )
        for r in uow.conn.execute(select(_rules))
    }
    for code, (kind, rate) in _defaults(uow).items():
        if code not in found:
            found[code] = PointsRuleRead(
                code=code, kind=kind, rate=str(rate), active=True, updated_by="settings", updated_at=None
            )
    return [found[c] for c in sorted(found)]


def rate_of(uow: UnitOfWork, kind: str) -> Decimal:
    """The points rate of a kind of earning: its active rules' rates added up (a promotion is one more rule)."""
    return sum((Decimal(r.rate) for r in _effective_rules(uow) if r.kind == kind and r.active), Decimal(0))


def list_rules(uow: UnitOfWork, actor: Actor) -> list[PointsRuleRead]:
    """Every earning rule, defaults included."""
    actor.require(P.POINTS_OPERATE)
    return _effective_rules(uow)


def _rate(text: str) -> Decimal:
    try:
        rate = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise PointsRuleInvalid(f"rate {text!r} is not a decimal number") from None
    if not rate.is_finite() or rate < 0 or rate > MAX_RATE:
        raise PointsRuleInvalid(f"rate {text!r} must be between 0 and {MAX_RATE}")
    if rate.as_tuple().exponent < -4:  # type: ignore[operator]
        raise PointsRuleInvalid(f"rate {text!r} has more than 4 decimals")
    return rate.normalize() if rate else Decimal(0)


def update_rules(uow: UnitOfWork, actor: Actor, cmd: PointsRulesUpdate) -> list[PointsRuleRead]:
    """Write earning rules by code (create or change); the rules not named stay as they are. Audited."""
    actor.require(P.POINTS_OPERATE)
    codes = [r.code for r in cmd.rules]
    if len(set(codes)) != len(codes):
        raise PointsRuleInvalid("a rule code appears twice")
    before = {r.code: r for r in _effective_rules(uow)}
    for w in cmd.rules:
        rate = _rate(w.rate)
        old = before.get(w.code)
        if old is not None and old.kind != w.kind:
            raise PointsRuleInvalid(f"rule {w.code} is a {old.kind} rule; its kind cannot change")
        values = {"kind": w.kind, "rate": f"{rate:f}", "active": w.active, "updated_by": actor.username}
        stored = uow.conn.execute(select(_rules.c.code).where(_rules.c.code == w.code)).first()
        if stored is None:
            uow.conn.execute(insert(_rules).values(code=w.code, updated_at=uow.now, **values))
        else:
            uow.conn.execute(
                update(_rules).where(_rules.c.code == w.code).values(updated_at=uow.now, **values)
            )
        uow.audit(
            actor,
            "points.rule_update",
            "points_rule",
            w.code,
            kind=w.kind,
            rate=values["rate"],
            active=w.active,
            previous_rate=old.rate if old else None,
            previous_active=old.active if old else None,
        )
    return _effective_rules(uow)


# ---------------------------------------------------------------- balances and history


def _available(uow: UnitOfWork, customer_id: int, day: date) -> int:
    return int(
        uow.conn.execute(
            select(func.coalesce(func.sum(_lots.c.remaining), 0)).where(
                _lots.c.customer_id == customer_id, _lots.c.remaining > 0, _lots.c.expires_on >= day
            )
        ).scalar_one()
    )


def cash_value_minor(uow: UnitOfWork, points: int, currency: str) -> int:
    """What `points` redeem for, in minor units: points ÷ points_per_yuan_redeemed, rounded down."""
    per_unit = int(uow.settings.points_per_yuan_redeemed)
    return points * 10 ** exponent(currency) // per_unit if points > 0 else 0


def _account_view(
    uow: UnitOfWork, customer_id: int, number: str, cursor: str | None, limit: int
) -> PointsAccountRead:
    day = uow.business_date
    before = None
    if cursor:
        if not cursor.isdigit():
            raise InvalidRequest("the cursor is not one this API returned")
        before = int(cursor)
    limit = max(1, min(limit, int(uow.settings.page_size_max)))
    q = (
        select(_moves)
        .where(_moves.c.customer_id == customer_id)
        .order_by(_moves.c.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        q = q.where(_moves.c.id < before)
    rows = uow.conn.execute(q).all()
    more = len(rows) > limit
    rows = rows[:limit]
    soon = uow.conn.execute(
        select(_lots.c.expires_on, func.sum(_lots.c.remaining))
        .where(
            _lots.c.customer_id == customer_id,
            _lots.c.remaining > 0,
            _lots.c.expires_on >= day,
            _lots.c.expires_on <= day + timedelta(days=EXPIRING_SOON_DAYS),
        )
        .group_by(_lots.c.expires_on)
        .order_by(_lots.c.expires_on)
    ).all()
    balance = _available(uow, customer_id, day)
    currency = uow.settings.base_currency
    return PointsAccountRead(
        customer_number=number,
        balance=balance,
        cash_value=minor_to_text(cash_value_minor(uow, balance, currency), currency),
        currency=currency,
        expiring_within_days=EXPIRING_SOON_DAYS,
        expiring_soon=[PointsExpiring(expires_on=d, points=int(p)) for d, p in soon],
        history=[
            PointsMoveRead(
                id=r.id,
                kind=r.kind,
                points=r.points,
                business_date=r.business_date,
                at=r.at,
                ref=r.ref,
                memo=r.memo,
            )
            for r in rows
        ],
        next_cursor=str(rows[-1].id) if more and rows else None,
    )


def _customer_of(actor: Actor) -> int:
    if actor.customer_id is None:
        raise PermissionDenied("this is a customer's own request: log in to e-banking")
    return actor.customer_id


def my_points(
    uow: UnitOfWork, actor: Actor, *, cursor: str | None = None, limit: int = 50
) -> PointsAccountRead:
    """The customer's own points: balance, what expires soon, history newest first."""
    customer_id = _customer_of(actor)
    number = customers.customer_names(uow, [customer_id]).get(customer_id, ("", ""))[0]
    return _account_view(uow, customer_id, number, cursor, limit)


def customer_points(
    uow: UnitOfWork, actor: Actor, customer_number: str, *, cursor: str | None = None, limit: int = 50
) -> PointsAccountRead:
    """A customer's points, for staff: balance, what expires soon, history newest first."""
    actor.require(P.CUSTOMER_READ)
    ref = customers.customer_ref(uow, customer_number, must_be_active=False)
    return _account_view(uow, ref.id, ref.number, cursor, limit)


# ---------------------------------------------------------------- spending points


def _consume(uow: UnitOfWork, customer_id: int, points: int, day: date) -> None:
    """Take `points` from the customer's lots, those that expire first first; PointsInsufficient (nothing
    taken) when they hold fewer. The lots are locked so two redemptions cannot spend the same points."""
    lots = uow.conn.execute(
        select(_lots.c.id, _lots.c.remaining)
        .where(_lots.c.customer_id == customer_id, _lots.c.remaining > 0, _lots.c.expires_on >= day)
        .order_by(_lots.c.expires_on, _lots.c.id)
        .with_for_update()
    ).all()
    held = sum(int(r.remaining) for r in lots)
    if held < points:
        raise PointsInsufficient(f"{held} points held, {points} asked", available=held)
    left = points
    for lot in lots:
        take = min(left, int(lot.remaining))
        uow.conn.execute(update(_lots).where(_lots.c.id == lot.id).values(remaining=_lots.c.remaining - take))
        left -= take
        if left == 0:
            break


def _move(
    uow: UnitOfWork,
    customer_id: int,
    kind: str,
    points: int,
    ref: str,
    by: str,
    *,
    lot_id: int | None = None,
    entry_id: int | None = None,
    memo: str = "",
) -> int:
    return int(
        uow.conn.execute(
            insert(_moves)
            .values(
                customer_id=customer_id,
                kind=kind,
                points=points,
                business_date=uow.business_date,
                at=uow.now,
                ref=ref[:60],
                by=by[:64],
                lot_id=lot_id,
                entry_id=entry_id,
                memo=memo[:200],
            )
            .returning(_moves.c.id)
        ).scalar_one()
    )


def redeem(
    uow: UnitOfWork, actor: Actor, cmd: RedemptionCreate, idempotency_key: str | None
) -> RedemptionRead:
    """Redeem the customer's points for cash into one of their own accounts (积分兑换): the lots that expire
    first go first; points ÷ points_per_yuan_redeemed yuan, rounded down to the fen, posted Dr 6601 operating
    expense (marketing) / Cr the account. A retry with the same Idempotency-Key returns the first answer."""
    customer_id = _customer_of(actor)
    registry.require_open(uow, actor.channel, "points_redeem")
    body = cmd.model_dump()

    def work() -> dict[str, Any]:
        try:
            acc = accounts.load_for_posting(uow, [cmd.account_number])[cmd.account_number]
        except accounts.AccountNotFound:
            raise NotYours(f"no account {cmd.account_number}") from None
        if acc.customer_id != customer_id:
            raise NotYours(f"no account {cmd.account_number}")
        currency = uow.settings.base_currency
        if acc.currency != currency:
            raise CurrencyMismatch(f"points are redeemed in {currency} into a {currency} account")
        minor = cash_value_minor(uow, cmd.points, currency)
        if minor <= 0:
            per_unit = int(uow.settings.points_per_yuan_redeemed)
            raise PointsInvalid(f"{cmd.points} points are worth less than one fen ({per_unit} points a yuan)")
        accounts.check_can_credit(acc)
        day = uow.business_date
        _consume(uow, customer_id, cmd.points, day)
        cash = Money.from_minor(minor, currency)
        entry = ledger.post(
            uow,
            EntryDraft(
                REDEEM_KIND,
                (
                    Leg.debit(chart.OPERATING_EXPENSE, acc.branch_code, cash, None, "points redemption"),
                    Leg.credit(acc.gl_code, acc.branch_code, cash, acc.id, f"{cmd.points} points redeemed"),
                ),
                memo=f"{cmd.points} points redeemed",
            ),
            by=actor.username,
            channel=actor.channel,
        )
        _move(uow, customer_id, "redeem", -cmd.points, f"entry:{entry.id}", actor.username, entry_id=entry.id)
        uow.audit(
            actor,
            "points.redeem",
            "customer",
            customer_id,
            points=cmd.points,
            amount=cash.text(),
            account=acc.number,
            entry=entry.id,
        )
        uow.publish(
            Event(
                "PointsRedeemed",
                "customer",
                str(customer_id),
                {"points": cmd.points, "amount": minor, "currency": currency, "account": acc.number},
            )
        )
        return RedemptionRead(
            points=cmd.points,
            cash_value=cash.text(),
            currency=currency,
            account_number=acc.number,
            entry_id=entry.id,
            booking_date=entry.booking_date,
            balance=_available(uow, customer_id, day),
        ).model_dump(mode="json")

    return RedemptionRead(
        **idempotency.once(uow, f"points.redeem:{actor.username}", idempotency_key, body, work)
    )


def adjust(
    uow: UnitOfWork,
    actor: Actor,
    customer_number: str,
    cmd: AdjustmentCreate,
    idempotency_key: str | None = None,
) -> AdjustmentRead:
    """Add points to a customer (a new lot, expiring as earned points do) or take them away (from the lots
    that expire first), with a reason. Audited. With an Idempotency-Key, a retry returns the first answer."""
    actor.require(P.POINTS_OPERATE)
    if cmd.points == 0:
        raise PointsInvalid("an adjustment adds or takes away at least one point")
    ref = customers.customer_ref(uow, customer_number, must_be_active=False)

    def work() -> dict[str, Any]:
        day = uow.business_date
        lot_id = None
        if cmd.points > 0:
            expires = day + timedelta(days=int(uow.settings.points_expiry_days))
            lot_id = int(
                uow.conn.execute(
                    insert(_lots)
                    .values(
                        customer_id=ref.id,
                        earned_on=day,
                        points=cmd.points,
                        remaining=cmd.points,
                        expires_on=expires,
                        source_kind="adjust",
                        source_ref=f"adj-{uuid.uuid4().hex[:20]}",
                        created_at=uow.now,
                    )
                    .returning(_lots.c.id)
                ).scalar_one()
            )
        else:
            _consume(uow, ref.id, -cmd.points, day)
        move_id = _move(
            uow, ref.id, "adjust", cmd.points, "adjustment", actor.username, lot_id=lot_id, memo=cmd.reason
        )
        uow.audit(actor, "points.adjust", "customer", ref.number, points=cmd.points, reason=cmd.reason)
        uow.publish(
            Event("PointsAdjusted", "customer", ref.number, {"points": cmd.points, "reason": cmd.reason})
        )
        return AdjustmentRead(
            customer_number=ref.number,
            points=cmd.points,
            balance=_available(uow, ref.id, day),
            move_id=move_id,
        ).model_dump(mode="json")

    if idempotency_key is None:
        return AdjustmentRead(**work())
    body = {"customer": customer_number, **cmd.model_dump()}
    return AdjustmentRead(
        **idempotency.once(uow, f"points.adjust:{actor.username}", idempotency_key, body, work)
    )
