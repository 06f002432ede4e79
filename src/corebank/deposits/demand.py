"""Demand deposit interest (活期利息): the daily-balance product method (积数法), accrual in aggregate per
product, quarterly settlement, and interest at closing.

DOMAIN.md: each day's closing balance is added to the account's product; interest = product × annual rate
÷ 360, rounded half up to the fen, settled on the 20th of March, June, September and December at the rate
posted that day and credited with value date the 21st. Each day the bank accrues the expense for the book
in aggregate per product (Dr interest expense, Cr interest payable); settlement pays each account from
interest payable, and a true-up entry clears what the aggregate accrual and the accounts' interest differ
by (rounding per account, and the rate of the settlement day applying to the whole quarter).

All of it is end-of-day work over the whole book: set-based statements over id ranges (chunks), memory
bounded by the chunk, each chunk safe to run again (rows carry the last day they took).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, ColumnElement, and_, case, func, insert, literal, select, update

from corebank import accounts, ledger, products
from corebank.db.base import table_of
from corebank.db.batch import BatchStep
from corebank.db.uow import UnitOfWork
from corebank.deposits.models import InterestAccumulator, ProductAccrual
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart

MICRO = 1_000_000  # accruals are kept in millionths of the minor unit until booked
_acc = table_of(InterestAccumulator)


def interest_on_product(product: int, annual_rate_percent: Decimal) -> int:
    """Interest in minor units on a daily-balance product (minor-unit days) at an annual rate in percent:
    product × rate ÷ 100 ÷ 360, rounded half up to the minor unit. A product of zero or less earns nothing."""
    if product <= 0:
        return 0
    return int((Decimal(product) * annual_rate_percent / Decimal(36000)).quantize(Decimal(1), ROUND_HALF_UP))


def accrual_micro(balance_total: int, annual_rate_percent: Decimal) -> int:
    """One day's accrual on a total balance, in millionths of the minor unit (half up)."""
    exact = Decimal(balance_total) * annual_rate_percent * MICRO / Decimal(36000)
    return int(exact.quantize(Decimal(1), ROUND_HALF_UP))


def _codes(uow: UnitOfWork) -> list[str]:
    return [p.code for p in products.interest_bearing_demand_products(uow)]


# ---------------------------------------------------------------- step 1: enrol new accounts (chunked)


def enrol_accounts(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """Give each open interest-bearing demand account in (lo, hi] an interest product row, starting today."""
    codes = _codes(uow)
    if not codes:
        return 0
    book = accounts.accounts_of_products(codes).subquery()
    missing = select(
        book.c.id,
        book.c.product_code,
        book.c.branch_code,
        book.c.currency,
        literal(0),
        literal(day - timedelta(days=1)),
    ).where(
        book.c.id > lo,
        book.c.id <= hi,
        # The range again on the inner side lets PostgreSQL plan a merge over two key ranges, not a scan.
        ~select(_acc.c.account_id)
        .where(_acc.c.account_id == book.c.id, _acc.c.account_id > lo, _acc.c.account_id <= hi)
        .exists(),
    )
    result = uow.conn.execute(
        insert(_acc).from_select(
            ["account_id", "product_code", "branch_code", "currency", "accumulated", "accrued_through"],
            missing,
        ),
        execution_options={"preserve_rowcount": True},
    )
    return int(result.rowcount or 0)


# ---------------------------------------------------------------- step 2: add today's balances (chunked)


def accrue_accounts(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """Add each account's closing balance of `day` to its product, once per day (one UPDATE per chunk)."""
    la = ledger.subledger_table()
    result = uow.conn.execute(
        update(_acc)
        .where(
            la.c.id == _acc.c.account_id,
            _acc.c.account_id > lo,
            _acc.c.account_id <= hi,
            la.c.id > lo,  # the range on both sides: a merge join of two key ranges on PostgreSQL
            la.c.id <= hi,
            _acc.c.accrued_through < day,
        )
        .values(accumulated=_acc.c.accumulated + la.c.balance, accrued_through=day),
        execution_options={"preserve_rowcount": True},
    )
    return int(result.rowcount or 0)


# ---------------------------------------------------------------- step 3: book the aggregate accrual


def book_accrual(uow: UnitOfWork, day: date) -> int:
    """Accrue the day's interest expense per product, branch and currency on the total of the balances added
    today (Dr 6411 interest expense, Cr 2231 interest payable), carrying the sub-fen remainder."""
    la = ledger.subledger_table()
    totals = uow.conn.execute(
        select(_acc.c.product_code, _acc.c.branch_code, _acc.c.currency, func.sum(la.c.balance))
        .where(la.c.id == _acc.c.account_id, _acc.c.accrued_through == day)
        .group_by(_acc.c.product_code, _acc.c.branch_code, _acc.c.currency)
    ).all()
    rates: dict[str, Decimal] = {}
    posted = 0
    for code, branch, currency, total in totals:
        if code not in rates:
            rates[code] = products.demand_rate_on(uow, products.deposit_product(uow, code), day)
        row = _accrual(uow, code, branch, currency, day)
        if row.accrued_through is not None and row.accrued_through >= day:
            continue  # this day is already in
        row.accrued_micro += accrual_micro(int(total or 0), rates[code])
        row.accrued_through = day
        target = int((Decimal(row.accrued_micro) / MICRO).quantize(Decimal(1), ROUND_HALF_UP))
        delta, row.booked = target - row.booked, target
        if delta:
            _expense(uow, branch, currency, delta, f"{code} interest accrual {day}", "interest_accrual")
            posted += 1
    uow.session.flush()
    return posted


def _accrual(uow: UnitOfWork, code: str, branch: str, currency: str, start: date | None) -> ProductAccrual:
    """The product's accrual row for a branch and currency, created empty the first time."""
    row = uow.session.get(ProductAccrual, (code, branch, currency))
    if row is None:
        row = ProductAccrual(
            product_code=code,
            branch_code=branch,
            currency=currency,
            accrued_micro=0,
            booked=0,
            settled=0,
            accrued_through=None,
            period_start=start,
        )
        uow.session.add(row)
    return row


def _expense(uow: UnitOfWork, branch: str, currency: str, delta: int, memo: str, kind: str) -> None:
    """Dr interest expense / Cr interest payable for `delta` > 0, the other way round for `delta` < 0."""
    amount = Money.from_minor(abs(delta), currency)
    expense, payable = Leg.debit, Leg.credit
    if delta < 0:
        expense, payable = Leg.credit, Leg.debit
    ledger.post(
        uow,
        EntryDraft(
            kind,
            (
                expense(chart.INTEREST_EXPENSE, branch, amount, narrative=memo),
                payable(chart.INTEREST_PAYABLE, branch, amount, narrative=memo),
            ),
            memo=memo,
        ),
        by="eod",
        channel="system",
    )


# ---------------------------------------------------------------- steps 4–5: quarterly settlement


def _settling(uow: UnitOfWork, day: date) -> dict[str, Decimal]:
    """Products that settle on `day`, with the demand rate posted that day."""
    return {
        p.code: products.demand_rate_on(uow, p, day)
        for p in products.interest_bearing_demand_products(uow)
        if p.settles_on(day)
    }


def settlement_bound(uow: UnitOfWork, day: date) -> int:
    """Highest account id to settle on `day` (0 on a day no product settles)."""
    if not _settling(uow, day):
        return 0
    return int(uow.conn.execute(select(func.max(_acc.c.account_id))).scalar() or 0)


def settle_accounts(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """Pay each account in (lo, hi] the interest on its product at the rate posted on the settlement day, as
    one bulk entry from interest payable (value date the next day), and start its new period."""
    rates = _settling(uow, day)
    if not rates:
        return 0
    in_range = and_(
        _acc.c.account_id > lo,
        _acc.c.account_id <= hi,
        _acc.c.product_code.in_(list(rates)),
        func.coalesce(_acc.c.settled_through, date(1900, 1, 1)) < day,
    )
    # Interest in SQL, exactly: with the rate as R ten-thousandths of a percent (0.35 % → 3500), interest =
    # product × R ÷ 360,000,000, rounded half up as (2 × product × R + D) div (2 × D). Same figures as
    # `interest_on_product` (tests hold the two together); no row comes into Python.
    scaled = {code: _ten_thousandths(rate) for code, rate in rates.items()}
    r = case(*((_acc.c.product_code == code, literal(v, BigInteger)) for code, v in scaled.items()), else_=0)
    interest = interest_sql(_acc.c.accumulated, r)
    source = select(_acc.c.account_id.label("account_id"), interest.label("amount")).where(
        in_range, _acc.c.accumulated > 0
    )
    entry_id, _totals = ledger.credit_many_from(
        uow,
        kind="interest_settlement",
        memo=f"demand interest to {day}",
        contra_gl=chart.INTEREST_PAYABLE,
        source=source,
        by="eod",
        value_date=day + timedelta(days=1),
        narrative="活期结息 interest",
        id_range=(lo, hi),
    )
    paid: dict[tuple[str, str, str], int] = {}
    credited = 0
    if entry_id is not None:
        jl = ledger.journal_lines_table()
        for code, branch, currency, total, n in uow.conn.execute(
            select(_acc.c.product_code, jl.c.branch_code, jl.c.currency, -func.sum(jl.c.amount), func.count())
            .join_from(jl, _acc, _acc.c.account_id == jl.c.account_id)
            .where(jl.c.entry_id == entry_id, _acc.c.account_id > lo, _acc.c.account_id <= hi)
            .group_by(_acc.c.product_code, jl.c.branch_code, jl.c.currency)
        ):
            paid[(code, branch, currency)] = int(total)
            credited += int(n)
    uow.conn.execute(update(_acc).where(in_range).values(accumulated=0, settled_through=day))
    _count_settled(uow, paid)
    return credited


_SETTLE_DIVISOR = 360 * 100 * 10_000  # days in the year × percent × the rate's ten-thousandths


def interest_sql(product: ColumnElement[int], rate_ten_thousandths: ColumnElement[int]) -> ColumnElement[int]:
    """`interest_on_product` as an SQL expression over integers (for a positive product): product × rate ÷
    360 ÷ 100, the rate in ten-thousandths of a percent, rounded half up."""
    return (2 * product * rate_ten_thousandths + _SETTLE_DIVISOR) // (2 * _SETTLE_DIVISOR)


def _ten_thousandths(rate: Decimal) -> int:
    """A rate in percent as an integer count of ten-thousandths of a percent; refuses a finer rate."""
    scaled = rate * 10_000
    if scaled != scaled.to_integral_value():
        raise InvalidRequest(f"a demand rate of {rate} % has more than four decimals")
    return int(scaled)


def _count_settled(uow: UnitOfWork, paid: dict[tuple[str, str, str], int]) -> None:
    for (code, branch, currency), amount in paid.items():
        _accrual(uow, code, branch, currency, None).settled += amount
    uow.session.flush()


def true_up(uow: UnitOfWork, day: date) -> int:
    """After settlement: clear the difference between what was accrued and what was paid, per product,
    branch and currency (Dr/Cr interest expense against interest payable), and start the new period."""
    rates = _settling(uow, day)
    if not rates:
        return 0
    rows = uow.session.execute(
        select(ProductAccrual).where(ProductAccrual.product_code.in_(list(rates)))
    ).scalars()
    done = 0
    for row in rows:
        if row.period_start is not None and row.period_start > day:
            continue  # already trued up for this settlement
        diff = row.settled - row.booked  # > 0: paid more than accrued → more expense
        if diff:
            _expense(
                uow,
                row.branch_code,
                row.currency,
                diff,
                f"{row.product_code} settlement true-up {day}",
                "interest_true_up",
            )
            done += 1
        row.accrued_micro = row.booked = row.settled = 0
        row.period_start = day + timedelta(days=1)
    uow.session.flush()
    return done


# ---------------------------------------------------------------- interest at closing


def pay_closing_interest(uow: UnitOfWork, account_id: int, by: str) -> int:
    """An account closing mid-quarter earns interest to the day before closing (its product so far) at the
    closing day's rate; credit it now from interest payable. Returns the amount (minor units)."""
    row = uow.session.get(InterestAccumulator, account_id)
    if row is None:
        return 0
    day = uow.business_date
    product = products.deposit_product(uow, row.product_code)
    interest = interest_on_product(row.accumulated, products.demand_rate_on(uow, product, day))
    if interest > 0:
        ledger.credit_many(
            uow,
            kind="interest_settlement",
            memo="interest at closing",
            contra_gl=chart.INTEREST_PAYABLE,
            credits=[(account_id, interest)],
            by=by,
            channel="counter",
            narrative="销户结息 interest at closing",
        )
        _count_settled(uow, {(row.product_code, row.branch_code, row.currency): interest})
    # End of day still adds today's closing balance: zero once the account is closed, the balance if the
    # closing waits for a supervisor past today (then the rest is paid when it closes).
    row.accumulated, row.settled_through = 0, day
    uow.session.flush()
    return interest


def _highest_account(uow: UnitOfWork, day: date) -> int:
    return accounts.highest_account_id(uow)


def _highest_enrolled(uow: UnitOfWork, day: date) -> int:
    return int(uow.conn.execute(select(func.max(_acc.c.account_id))).scalar() or 0)


EOD_STEPS: tuple[BatchStep, ...] = (
    BatchStep(
        "deposits.enrol_demand_accounts",
        "Enrol new demand accounts",
        chunk=enrol_accounts,
        upper_bound=_highest_account,
    ),
    BatchStep(
        "deposits.accrue_demand_interest",
        "Add closing balances to interest products",
        chunk=accrue_accounts,
        upper_bound=_highest_enrolled,
    ),
    BatchStep("deposits.book_demand_accrual", "Book the day's interest accrual", run=book_accrual),
    BatchStep(
        "deposits.settle_demand_interest",
        "Settle quarterly demand interest",
        chunk=settle_accounts,
        upper_bound=settlement_bound,
    ),
    BatchStep("deposits.true_up_demand_interest", "True up accrued against settled interest", run=true_up),
)
