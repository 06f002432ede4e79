"""Points' end-of-day steps: expiry, earning on the day's card spending, and (on a month's last day) earning on
the month's deposit holdings.

Each step works on customer id ranges, one chunk per transaction, in set-based statements (INSERT ... SELECT,
UPDATE ... WHERE): no Python loop over customers or accounts. Each is safe to run again: a lot is unique per
customer, source kind and source reference (the date for card spending, the month for holdings), its earn
move is written once per lot, and an expired lot has nothing left to expire.

- **Card spending**: the debit lines on customers' accounts of `pos.purchase` entries booked on the closing
  date (the card account debited, 2263 card payments due to merchants credited: what the ATM/POS switch
  posts), less purchases already reversed, in the bank's base currency; per customer and day,
  points = floor(yuan × rate of the card_spend rules).
- **Holdings**: on the month's last day, per customer, points = floor(average daily balance ÷ 10,000 yuan ×
  rate of the holding rules), over their demand deposit accounts and time deposits in the base currency. The
  bank keeps no daily balance per account (the demand interest product 积数 runs from settlement to
  settlement and covers interest-bearing demand products only), so the month's daily-balance product is
  rebuilt from the ledger: Σ over the month's days of the closing balance = days × today's balance − Σ over
  the lines booked since the 1st of (amount × days from the 1st to the line's date). That is exact for every
  day's closing balance, including accounts opened or closed during the month; lines booked later on the last
  day by steps that run after this one (interest, maturities) fall into next month.
- **Expiry**: lots that are still good through a date (`expires_on`) expire at the end of that day: what is
  left goes to zero with an `expire` move.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    DateTime,
    Integer,
    Subquery,
    case,
    cast,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.sql import ColumnElement

from corebank import accounts, deposits, ledger
from corebank.channels import points
from corebank.channels.points_models import PointsLot, PointsMove
from corebank.db.base import table_of
from corebank.db.batch import BatchStep
from corebank.db.uow import UnitOfWork
from corebank.kernel.money import exponent

POS_PURCHASE_KIND = "pos.purchase"  # the ATM/POS switch's entry kind for a card purchase
_lots = table_of(PointsLot)
_moves = table_of(PointsMove)


def _holders() -> Subquery:
    """Whose deposit each ledger account is: demand accounts and time deposits (id, customer_id)."""
    return union_all(accounts.account_holders(), deposits.time_deposit_holders()).subquery("holders")


def _ratio(rate: Decimal) -> tuple[int, int]:
    num, den = rate.as_integer_ratio()
    return int(num), int(den)


def _earn(
    uow: UnitOfWork,
    day: date,
    lo: int,
    hi: int,
    earned: Subquery,
    points_expr: ColumnElement[int],
    kind: str,
    ref: str,
    memo: str,
) -> int:
    """Insert a lot per customer of `earned` (customer_id) whose points are positive, unless the customer
    already has the lot of this kind and reference; then the earn move of each new lot. Rows: lots made."""
    expires = day + timedelta(days=int(uow.settings.points_expiry_days))
    now = literal(uow.now, DateTime(timezone=True))
    have = select(_lots.c.id).where(
        _lots.c.customer_id == earned.c.customer_id, _lots.c.source_kind == kind, _lots.c.source_ref == ref
    )
    new_lots = select(
        earned.c.customer_id,
        literal(day),
        points_expr,
        points_expr,
        literal(expires),
        literal(kind),
        literal(ref),
        now,
    ).where(points_expr > 0, ~have.exists())
    made = uow.conn.execute(
        insert(_lots).from_select(
            [
                "customer_id",
                "earned_on",
                "points",
                "remaining",
                "expires_on",
                "source_kind",
                "source_ref",
                "created_at",
            ],
            new_lots,
        )
    )
    unposted = select(
        _lots.c.customer_id,
        literal("earn"),
        _lots.c.points,
        literal(day),
        now,
        literal(f"{kind}:{ref}"),
        literal("system"),
        _lots.c.id,
        literal(memo),
    ).where(
        _lots.c.customer_id > lo,
        _lots.c.customer_id <= hi,
        _lots.c.source_kind == kind,
        _lots.c.source_ref == ref,
        ~select(_moves.c.id).where(_moves.c.lot_id == _lots.c.id, _moves.c.kind == "earn").exists(),
    )
    uow.conn.execute(
        insert(_moves).from_select(
            ["customer_id", "kind", "points", "business_date", "at", "ref", "by", "lot_id", "memo"], unposted
        )
    )
    return int(made.rowcount or 0)


# ---------------------------------------------------------------- card spending


def _spending(uow: UnitOfWork, day: date) -> Subquery:
    """Per customer: the minor units their accounts paid by card on `day` (purchases not reversed)."""
    h = _holders()
    jl = ledger.journal_lines_table()
    je = ledger.journal_entries_table()
    rev = je.alias("rev")
    return (
        select(h.c.customer_id.label("customer_id"), cast(func.sum(jl.c.amount), BigInteger).label("minor"))
        .select_from(jl.join(je, je.c.id == jl.c.entry_id).join(h, h.c.id == jl.c.account_id))
        .where(
            je.c.kind == POS_PURCHASE_KIND,
            je.c.booking_date == day,
            jl.c.booking_date == day,
            jl.c.amount > 0,
            jl.c.currency == uow.settings.base_currency,
            ~select(rev.c.id).where(rev.c.reverses_id == je.c.id).exists(),
        )
        .group_by(h.c.customer_id)
        .subquery("spend")
    )


def card_spending_upper_bound(uow: UnitOfWork, day: date) -> int:
    """The highest customer id that paid by card on `day` (0 when no one did)."""
    spend = _spending(uow, day)
    return int(uow.conn.execute(select(func.max(spend.c.customer_id))).scalar() or 0)


def earn_on_card_spending(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """End-of-day step (chunk): points on the day's card spending of customers in (lo, hi]:
    floor(yuan × rate), one lot per customer and day."""
    num, den = _ratio(points.rate_of(uow, "card_spend"))
    if num <= 0:
        return 0
    spend = _spending(uow, day)
    chunk = select(spend).where(spend.c.customer_id > lo, spend.c.customer_id <= hi).subquery("chunk")
    unit = 10 ** exponent(uow.settings.base_currency)
    pts = (chunk.c.minor * num) // (unit * den)
    return _earn(uow, day, lo, hi, chunk, pts, "card_spend", day.isoformat(), "points on card spending")


# ---------------------------------------------------------------- holdings


def _is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).month != day.month


def holdings_upper_bound(uow: UnitOfWork, day: date) -> int:
    """On a month's last day, the highest id of a customer holding deposits; else 0 (nothing to do)."""
    if not _is_month_end(day):
        return 0
    h = _holders()
    return int(uow.conn.execute(select(func.max(h.c.customer_id))).scalar() or 0)


def earn_on_holdings(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """End-of-day step (chunk, month end only): points on the month's average daily balance of the demand
    accounts and time deposits of customers in (lo, hi]: floor(average ÷ 10,000 yuan × rate)."""
    num, den = _ratio(points.rate_of(uow, "holding"))
    if num <= 0 or not _is_month_end(day):
        return 0
    first = day.replace(day=1)
    days = day.day
    h = _holders()
    held = select(h.c.id, h.c.customer_id).where(h.c.customer_id > lo, h.c.customer_id <= hi).subquery("held")
    la = ledger.subledger_table()
    jl = ledger.journal_lines_table()
    # Days from the 1st to the line's date: how many of the month's closing balances were before the line.
    weight = case(
        {first + timedelta(days=k): k for k in range(1, days)}, value=jl.c.booking_date, else_=literal(days)
    )
    moved = (
        select(jl.c.account_id, cast(func.sum(jl.c.amount * weight), BigInteger).label("weighted"))
        .where(jl.c.booking_date > first, jl.c.account_id.in_(select(held.c.id)))
        .group_by(jl.c.account_id)
        .subquery("moved")
    )
    per_account = (
        select(
            held.c.customer_id,
            (
                literal(days, Integer) * la.c.balance - func.coalesce(moved.c.weighted, 0) * la.c.normal_sign
            ).label("product"),
        )
        .select_from(held.join(la, la.c.id == held.c.id).outerjoin(moved, moved.c.account_id == held.c.id))
        .where(la.c.currency == uow.settings.base_currency)
        .subquery("per_account")
    )
    per_customer = (
        select(
            per_account.c.customer_id.label("customer_id"),
            cast(func.sum(per_account.c.product), BigInteger).label("product"),
        )
        .group_by(per_account.c.customer_id)
        .subquery("per_customer")
    )
    unit = 10 ** exponent(uow.settings.base_currency)
    pts = (per_customer.c.product * num) // (days * unit * 10_000 * den)
    ref = day.strftime("%Y-%m")
    return _earn(uow, day, lo, hi, per_customer, pts, "holding", ref, f"points on deposits held in {ref}")


# ---------------------------------------------------------------- expiry


def expiry_upper_bound(uow: UnitOfWork, day: date) -> int:
    """The highest customer id with points that expire at the end of `day` or before (0 when none)."""
    top = uow.conn.execute(
        select(func.max(_lots.c.customer_id)).where(_lots.c.remaining > 0, _lots.c.expires_on <= day)
    ).scalar()
    return int(top or 0)


def expire_points(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """End-of-day step (chunk): what is left of lots good through `day` or earlier goes to zero, each with an
    expire move, for customers in (lo, hi]."""
    due = (
        _lots.c.customer_id > lo,
        _lots.c.customer_id <= hi,
        _lots.c.remaining > 0,
        _lots.c.expires_on <= day,
    )
    uow.conn.execute(
        insert(_moves).from_select(
            ["customer_id", "kind", "points", "business_date", "at", "ref", "by", "lot_id", "memo"],
            select(
                _lots.c.customer_id,
                literal("expire"),
                -_lots.c.remaining,
                literal(day),
                literal(uow.now, DateTime(timezone=True)),
                literal("expiry"),
                literal("system"),
                _lots.c.id,
                literal("points expired"),
            ).where(*due),
        )
    )
    done = uow.conn.execute(update(_lots).where(*due).values(remaining=0))
    return int(done.rowcount or 0)


EOD_STEPS: tuple[BatchStep, ...] = (
    BatchStep(
        "channels.expire_points",
        "Expire points past their date",
        chunk=expire_points,
        upper_bound=expiry_upper_bound,
        chunk_size=5_000,
    ),
    BatchStep(
        "channels.earn_card_points",
        "Points on the day's card spending",
        chunk=earn_on_card_spending,
        upper_bound=card_spending_upper_bound,
        chunk_size=5_000,
    ),
    BatchStep(
        "channels.earn_holding_points",
        "Points on the month's deposits (month end)",
        chunk=earn_on_holdings,
        upper_bound=holdings_upper_bound,
        chunk_size=2_000,
    ),
)
