"""Time deposits (整存整取) through the service layer on a bank of their own (the business date moves): opening
from an account or cash, early withdrawal (储蓄管理条例 art. 24–25), maturity at end of day by instruction,
rollover on a holiday, money left past maturity, loss reports (挂失), release (解挂) and reissue (补发).
Figures are pinned to the fen; refused requests change nothing."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from corebank import accounts, ledger, operations, tellers
from corebank.accounts import PendingApproval
from corebank.bootstrap import Bank
from corebank.customers import make_resident_id
from corebank.deposits import certificate, time_deposits, time_loss, time_payouts
from corebank.deposits import time_rules as rules
from corebank.deposits.time_schemas import (
    EarlyWithdrawal,
    HolderIdentity,
    InstructionChange,
    LossReportCreate,
    MaturityWithdrawal,
    TimeDepositOpen,
    TimeDepositPayout,
    TimeDepositRead,
)
from corebank.kernel.errors import CoreBankError
from corebank.kernel.ids import luhn_valid
from corebank.ledger import chart
from corebank.operations import calendar as bank_calendar
from corebank.products.models import Product, ProductRate
from corebank.security import SYSTEM, Actor
from tests.factories import deposit, ledger_state, new_account, new_customer
from tests.integration.conftest import FreshBank

_ids = itertools.count(1)


def key() -> str:
    return f"td-{uuid.uuid4().hex}"


def holder_id() -> str:
    """A resident ID from a region only this module uses."""
    n = next(_ids)
    return make_resident_id("150100", date(1955 + n % 40, 1 + n % 12, 1 + n % 28), (n * 11) % 1000)


def customer_with_account(fb: FreshBank, funds: str = "50000.00") -> tuple[str, str, str]:
    """(customer number, demand account number, ID number) of a new customer with `funds` paid in."""
    idn = holder_id()
    cust = new_customer(fb.bank, fb.teller, id_number=idn)
    acc = new_account(fb.bank, fb.teller, cust.number)
    deposit(fb.bank, fb.teller, acc.number, funds)
    return cust.number, acc.number, idn


def open_td(
    fb: FreshBank, actor: Actor | None = None, idem: str | None = None, **fields: Any
) -> TimeDepositRead:
    cmd = TimeDepositOpen(**{"term_months": 12, "amount": "10000.00", **fields})
    return fb.bank.run(time_deposits.open_time_deposit, actor or fb.teller, cmd, idem or key())  # type: ignore[no-any-return]


def read(fb: FreshBank, cert: str, actor: Actor | None = None) -> TimeDepositRead:
    return fb.bank.run(time_deposits.get_time_deposit, actor or fb.teller, cert, readonly=True)  # type: ignore[no-any-return]


def early(fb: FreshBank, cert: str, idem: str | None = None, **fields: Any) -> TimeDepositPayout:
    out = fb.bank.run(
        time_payouts.early_withdrawal, fb.teller, cert, EarlyWithdrawal(**fields), idem or key()
    )
    assert isinstance(out, TimeDepositPayout), out
    return out


def withdraw(fb: FreshBank, cert: str, **fields: Any) -> TimeDepositPayout:
    out = fb.bank.run(time_payouts.withdraw_at_maturity, fb.teller, cert, MaturityWithdrawal(**fields), key())
    assert isinstance(out, TimeDepositPayout), out
    return out


def balance(fb: FreshBank, number: str) -> str:
    return fb.bank.run(accounts.get_account, fb.teller, number, readonly=True).balance  # type: ignore[no-any-return]


def till(fb: FreshBank, username: str = "teller") -> int:
    def q(uow: Any) -> int:
        t = tellers.current_till(uow, username, "CNY")
        return ledger.balances(uow, [t.ledger_account_id])[t.ledger_account_id].balance

    return fb.bank.run(q, readonly=True)  # type: ignore[no-any-return]


def run_maturity(fb: FreshBank, day: date) -> int:
    """The end-of-day step, as the runner calls it (one chunk over every id)."""
    step = time_deposits.EOD_STEPS[0]
    assert step.chunk is not None and step.upper_bound is not None
    top = fb.bank.run(step.upper_bound, day, eod=True)
    return fb.bank.run(step.chunk, day, 0, max(top, 10**12), eod=True)  # type: ignore[no-any-return]


def advance(fb: FreshBank, days: int) -> date:
    """Move the business date forward `days` days (end of day runs every calendar day: mature on the way)."""
    day = fb.business_date()
    for _ in range(days):
        run_maturity(fb, day)
        day += timedelta(days=1)
        fb.bank.run(_set_date, day)
    if days:
        # Only the teller's till, with a little cash: every till opened takes its cash from the vault.
        fb.bank.run(tellers.open_till, fb.teller, tellers.TillOpen(opening_cash="20000.00"))
    return day


def _set_date(uow: Any, day: date) -> None:
    from sqlalchemy import update

    from corebank.db.models import BankState

    uow.session.execute(update(BankState).where(BankState.id == 1).values(business_date=day))


def move_to(fb: FreshBank, day: date) -> None:
    advance(fb, (day - fb.business_date()).days)


def books_balanced(bank: Bank) -> bool:
    def q(uow: Any) -> bool:
        control = {(g, b, c): v for g, b, c, v in ledger.gl_balances(uow, uow.business_date, None)}
        subs = ledger.subledger_totals(uow)
        return ledger.trial_balance(uow).balanced and all(
            control.get((g, b, c), 0) == v for g, b, c, v in subs if g == chart.TIME_DEPOSITS
        )

    return bank.run(q, readonly=True)  # type: ignore[no-any-return]


def refused(fn: Any, code: str) -> CoreBankError:
    with pytest.raises(CoreBankError) as err:
        fn()
    assert err.value.code == code, err.value
    return err.value


@pytest.fixture
def fb(fresh_bank: FreshBank) -> FreshBank:
    return fresh_bank


# ---------------------------------------------------------------------------------------------------- opening


def test_open_from_a_demand_account_fixes_the_rate_and_books_under_2012(fb: FreshBank) -> None:
    cust, acc, _ = customer_with_account(fb, "20000.00")
    today = fb.business_date()
    idem = key()
    td = open_td(fb, idem=idem, from_account=acc, maturity_instruction="pay_to_account")
    assert luhn_valid(td.certificate_number) and td.certificate_number.startswith("000112")
    assert len(td.certificate_number) == 16
    assert (td.customer_number, td.product_code, td.term_months) == (cust, "TIME_CNY", 12)
    assert (td.principal, td.annual_rate, td.status) == ("10000.00", "1.50", "active")
    assert td.opened_on == td.term_start == today
    assert td.maturity_date == rules.maturity_date(today, 12)
    assert td.expected_interest == "150.00" and td.accrued_interest == "0.00"
    assert td.linked_account == acc  # pay_to_account takes the source account when none is named
    assert balance(fb, acc) == "10000.00"
    # a retry with the same key returns the same deposit and moves nothing
    again = open_td(fb, idem=idem, from_account=acc, maturity_instruction="pay_to_account")
    assert again.certificate_number == td.certificate_number
    assert balance(fb, acc) == "10000.00"
    assert books_balanced(fb.bank)


def test_open_from_cash_goes_through_the_till(fb: FreshBank) -> None:
    cust, _acc, _ = customer_with_account(fb)
    before = till(fb)
    td = open_td(fb, cash=True, customer_number=cust, term_months=6, amount="5000.00")
    assert (td.annual_rate, td.expected_interest, td.linked_account) == ("1.30", "32.50", None)
    assert td.maturity_instruction == "rollover_principal_and_interest"
    assert till(fb) == before + 500_000


def test_every_offered_term_takes_its_own_rate(fb: FreshBank) -> None:
    _cust, acc, _ = customer_with_account(fb, "70000.00")
    got = {m: open_td(fb, from_account=acc, term_months=m).expected_interest for m in (3, 6, 12, 24, 36, 60)}
    assert got == {3: "27.50", 6: "65.00", 12: "150.00", 24: "420.00", 36: "825.00", 60: "1375.00"}


def test_bad_openings_are_refused_and_change_nothing(fb: FreshBank) -> None:
    cust, acc, _ = customer_with_account(fb, "1000.00")
    other_cust, other_acc, _ = customer_with_account(fb, "1000.00")
    before = ledger_state(fb.bank)
    refused(lambda: open_td(fb, from_account=acc, term_months=9, amount="100.00"), "TERM_NOT_OFFERED")
    refused(lambda: open_td(fb, from_account=acc, amount="49.99"), "BELOW_MINIMUM")
    refused(lambda: open_td(fb, from_account=acc, cash=True, amount="100.00"), "INVALID_REQUEST")
    refused(lambda: open_td(fb, amount="100.00"), "INVALID_REQUEST")  # neither account nor cash
    refused(
        lambda: open_td(
            fb, cash=True, customer_number=cust, amount="100.00", maturity_instruction="rollover_principal"
        ),
        "INSTRUCTION_NOT_ALLOWED",
    )
    refused(
        lambda: open_td(fb, from_account=acc, amount="100.00", linked_account=other_acc),
        "INVALID_REQUEST",  # the linked account must be the holder's own
    )
    refused(lambda: open_td(fb, from_account=acc, amount="2000.00"), "INSUFFICIENT_FUNDS")
    refused(
        lambda: open_td(fb, from_account=acc, customer_number=other_cust, amount="100.00"), "INVALID_REQUEST"
    )
    refused(
        lambda: open_td(fb, from_account=acc, product_code="DEMAND_CNY", amount="100.00"),
        "PRODUCT_NOT_AVAILABLE",
    )
    refused(lambda: open_td(fb, fb.east_teller, from_account=acc, amount="100.00"), "OUT_OF_BRANCH_SCOPE")
    assert ledger_state(fb.bank) == before


def test_another_branch_cannot_see_or_touch_the_deposit(fb: FreshBank) -> None:
    _cust, acc, _ = customer_with_account(fb)
    td = open_td(fb, from_account=acc)
    refused(lambda: read(fb, td.certificate_number, fb.east_teller), "OUT_OF_BRANCH_SCOPE")
    east = fb.east_teller
    refused(
        lambda: fb.bank.run(
            time_payouts.early_withdrawal,
            east,
            td.certificate_number,
            EarlyWithdrawal(all=True, cash=True),
            key(),
        ),
        "OUT_OF_BRANCH_SCOPE",
    )


def test_list_by_customer_pages_with_a_cursor(fb: FreshBank) -> None:
    cust, acc, _ = customer_with_account(fb)
    made = [open_td(fb, from_account=acc, amount="1000.00").certificate_number for _ in range(3)]
    page = fb.bank.run(time_deposits.list_time_deposits, fb.teller, cust, limit=2, readonly=True)
    assert [d.certificate_number for d in page.items] == made[:2] and page.next_cursor
    rest = fb.bank.run(
        time_deposits.list_time_deposits, fb.teller, cust, cursor=page.next_cursor, limit=2, readonly=True
    )
    assert [d.certificate_number for d in rest.items] == made[2:] and rest.next_cursor is None


# ---------------------------------------------------------------------------------------------------- early withdrawal


def test_one_partial_then_full_early_withdrawal_at_the_demand_rate(fb: FreshBank) -> None:
    _cust, acc, _ = customer_with_account(fb, "10000.00")
    td = open_td(fb, from_account=acc)
    cert = td.certificate_number
    small = open_td(fb, cash=True, customer_number=_cust, amount="100.00")
    advance(fb, 45)
    idem = key()
    part = early(fb, cert, idem, amount="3000.00", to_account=acc)
    # 3,000.00 × 0.35 % × 45 ÷ 360 = 1.3125 -> 1.31
    assert (part.principal_paid, part.interest, part.total) == ("3000.00", "1.31", "3001.31")
    assert part.remaining_principal == "7000.00" and part.deposit_status == "active"
    assert part.interest_lines[0].basis == "45D" and part.interest_lines[0].annual_rate == "0.35"
    assert balance(fb, acc) == "3001.31"
    assert early(fb, cert, idem, amount="3000.00", to_account=acc) == part  # the retry posts nothing
    assert balance(fb, acc) == "3001.31"
    left = read(fb, cert)
    # the rest keeps its rate, term and maturity
    assert (left.principal, left.annual_rate, left.maturity_date) == ("7000.00", "1.50", td.maturity_date)
    assert left.expected_interest == "105.00" and left.partial_withdrawals_used == 1

    before = ledger_state(fb.bank)
    refused(lambda: early(fb, cert, amount="100.00", to_account=acc), "PARTIAL_WITHDRAWAL_USED")
    refused(lambda: early(fb, cert, amount="7000.01", to_account=acc), "EXCEEDS_PRINCIPAL")
    refused(lambda: early(fb, small.certificate_number, amount="50.01", cash=True), "BELOW_MINIMUM")
    refused(lambda: early(fb, cert, all=True, amount="1.00", cash=True), "INVALID_REQUEST")
    refused(lambda: early(fb, cert, all=True), "INVALID_REQUEST")  # neither account nor cash
    assert ledger_state(fb.bank) == before

    cash_before = till(fb)
    full = early(fb, cert, all=True, cash=True)
    # 7,000.00 × 0.35 % × 45 ÷ 360 = 3.0625 -> 3.06
    assert (full.principal_paid, full.interest, full.total, full.paid_to) == (
        "7000.00",
        "3.06",
        "7003.06",
        "cash",
    )
    assert full.deposit_status == "closed" and till(fb) == cash_before - 700_306
    closed = read(fb, cert)
    assert closed.status == "closed" and closed.interest_paid == "4.37"
    refused(lambda: early(fb, cert, all=True, cash=True), "TIME_DEPOSIT_CLOSED")
    assert books_balanced(fb.bank)


# ---------------------------------------------------------------------------------------------------- maturity


def test_maturity_by_each_instruction_at_end_of_day(fb: FreshBank) -> None:
    cust, acc, _ = customer_with_account(fb, "40000.00")
    start = fb.business_date()
    pay = open_td(fb, from_account=acc, term_months=3, maturity_instruction="pay_to_account")
    roll_p = open_td(fb, from_account=acc, term_months=3, maturity_instruction="rollover_principal")
    roll_pi = open_td(
        fb, from_account=acc, term_months=3, maturity_instruction="rollover_principal_and_interest"
    )
    held = open_td(fb, from_account=acc, term_months=3, maturity_instruction="none")
    assert balance(fb, acc) == "0.00"
    maturity = rules.maturity_date(start, 3)
    move_to(fb, maturity)
    assert read(fb, pay.certificate_number).status == "active"  # the day itself matures at its end of day
    assert run_maturity(fb, maturity) == 4
    # pay_to_account: 10,000.00 + 27.50 to the linked account; rollover_principal: the 27.50 interest
    assert balance(fb, acc) == "10055.00"
    paid = read(fb, pay.certificate_number)
    assert (paid.status, paid.closed_on, paid.interest_paid) == ("closed", maturity, "27.50")
    rp = read(fb, roll_p.certificate_number)
    assert (rp.principal, rp.term_start, rp.maturity_date, rp.rollovers) == (
        "10000.00",
        maturity,
        rules.maturity_date(maturity, 3),
        1,
    )
    rpi = read(fb, roll_pi.certificate_number)
    assert (rpi.principal, rpi.annual_rate, rpi.expected_interest) == ("10027.50", "1.10", "27.58")
    assert read(fb, held.certificate_number).status == "matured"
    # end of day run again on the same day matures nothing twice
    state = ledger_state(fb.bank)
    assert run_maturity(fb, maturity) == 0
    assert ledger_state(fb.bank) == state
    # the held deposit earns the demand rate for the days after maturity
    advance(fb, 45)
    out = withdraw(fb, held.certificate_number, to_account=acc)
    assert [(x.kind, x.amount) for x in out.interest_lines] == [
        ("maturity", "27.50"),
        ("past_maturity", "4.38"),
    ]
    assert (out.principal_paid, out.interest, out.total) == ("10000.00", "31.88", "10031.88")
    assert balance(fb, acc) == "20086.88"
    assert books_balanced(fb.bank)
    pdf = fb.bank.run(certificate.interest_certificate, fb.teller, roll_pi.certificate_number, readonly=True)
    assert [x.kind for x in pdf.lines] == ["rollover"] and pdf.lines[0].amount == "27.50"
    assert cust == rpi.customer_number


def test_withdrawal_before_maturity_and_early_withdrawal_after_it_are_refused(fb: FreshBank) -> None:
    cust, acc, _ = customer_with_account(fb)
    td = open_td(fb, from_account=acc, term_months=3, maturity_instruction="none")
    refused(lambda: withdraw(fb, td.certificate_number, to_account=acc), "DEPOSIT_NOT_MATURED")
    move_to(fb, rules.maturity_date(fb.business_date(), 3))
    # on its maturity day, before end of day: a withdrawal at maturity, with the term's interest
    refused(lambda: early(fb, td.certificate_number, all=True, to_account=acc), "DEPOSIT_MATURED")
    out = withdraw(fb, td.certificate_number, to_account=acc)
    assert (out.interest, out.deposit_status) == ("27.50", "closed")
    assert cust


def test_instruction_changes_before_maturity_and_is_audited(fb: FreshBank) -> None:
    _cust, acc, _ = customer_with_account(fb)
    td = open_td(fb, from_account=acc, term_months=3, maturity_instruction="none")
    cmd = InstructionChange(maturity_instruction="pay_to_account", linked_account=acc)
    changed = fb.bank.run(time_deposits.change_maturity_instruction, fb.teller, td.certificate_number, cmd)
    assert (changed.maturity_instruction, changed.linked_account) == ("pay_to_account", acc)
    bad = InstructionChange(maturity_instruction="rollover_principal", linked_account="000101999999999")
    refused(
        lambda: fb.bank.run(time_deposits.change_maturity_instruction, fb.teller, td.certificate_number, bad),
        "ACCOUNT_NOT_FOUND",
    )
    maturity = rules.maturity_date(fb.business_date(), 3)
    move_to(fb, maturity)
    refused(
        lambda: fb.bank.run(time_deposits.change_maturity_instruction, fb.teller, td.certificate_number, cmd),
        "DEPOSIT_MATURED",
    )
    run_maturity(fb, maturity)
    assert read(fb, td.certificate_number).status == "closed"
    assert balance(fb, acc) == "50027.50"


def _holiday_product(uow: Any, code: str, start: date, holiday: date) -> None:
    """A copy of TIME_CNY with its own 3M rates: 1.10 from `start`, 1.00 from the holiday, 0.90 the day after."""
    base = uow.session.get(Product, "TIME_CNY")
    cols = {c.key: getattr(base, c.key) for c in Product.__table__.columns if c.key != "code"}
    uow.session.add(Product(code=code, **cols))
    uow.session.flush()
    for day, rate in ((start, "1.10"), (holiday, "1.00"), (holiday + timedelta(days=1), "0.90")):
        uow.session.add(
            ProductRate(
                product_code=code,
                term="3M",
                min_amount=0,
                annual_rate=rate,
                effective_date=day,
                created_by="test",
                approved_by="test",
                created_at=uow.now,
            )
        )


def test_rollover_on_a_holiday_starts_the_new_term_that_day_at_that_days_rate(fb: FreshBank) -> None:
    _cust, acc, _ = customer_with_account(fb)
    start = fb.business_date()
    holiday = rules.maturity_date(start, 3)
    fb.bank.run(_holiday_product, "TIME_HOLIDAY_CNY", start, holiday)
    fb.bank.run(bank_calendar.load_calendar, SYSTEM, f"{holiday.isoformat()},holiday,National Day")
    td = open_td(fb, from_account=acc, product_code="TIME_HOLIDAY_CNY", term_months=3)
    assert td.annual_rate == "1.10"
    move_to(fb, holiday + timedelta(days=1))  # end of day ran on the holiday too
    rolled = read(fb, td.certificate_number)
    assert (rolled.term_start, rolled.annual_rate, rolled.principal) == (holiday, "1.00", "10027.50")
    assert rolled.maturity_date == rules.maturity_date(holiday, 3)
    # 10,027.50 × 1.00 % × 3 ÷ 12 = 25.06875 -> 25.07
    assert rolled.expected_interest == "25.07"

    def entries(uow: Any) -> list[tuple[date, date]]:
        from corebank.ledger.models import JournalEntry

        rows = uow.session.execute(
            select(JournalEntry.booking_date, JournalEntry.value_date).where(
                JournalEntry.kind == "time_deposit_rollover",
                JournalEntry.memo.contains(td.certificate_number),
            )
        )
        return [tuple(r) for r in rows]

    assert fb.bank.run(entries, readonly=True) == [(holiday, holiday)]


# ---------------------------------------------------------------------------------------------------- loss reports


def report(fb: FreshBank, cert: str, kind: str, id_number: str | None = None) -> Any:
    return fb.bank.run(
        time_loss.report_loss, fb.teller, cert, LossReportCreate(kind=kind, id_number=id_number)
    )  # type: ignore[arg-type]


def test_oral_loss_report_blocks_five_days_then_lapses(fb: FreshBank) -> None:
    _cust, acc, idn = customer_with_account(fb)
    cert = open_td(fb, from_account=acc).certificate_number
    r = report(fb, cert, "oral")
    assert (r.status, r.blocks_until) == ("active", rules.oral_report_lapses_on(fb.business_date()))
    assert read(fb, cert).loss_report == "oral"
    before = ledger_state(fb.bank)
    refused(lambda: early(fb, cert, all=True, to_account=acc), "CERTIFICATE_REPORTED_LOST")
    refused(lambda: report(fb, cert, "oral"), "LOSS_REPORT_EXISTS")
    change = InstructionChange(maturity_instruction="none")
    refused(
        lambda: fb.bank.run(time_deposits.change_maturity_instruction, fb.teller, cert, change),
        "CERTIFICATE_REPORTED_LOST",
    )
    assert ledger_state(fb.bank) == before
    advance(fb, 4)
    refused(lambda: early(fb, cert, all=True, to_account=acc), "CERTIFICATE_REPORTED_LOST")
    advance(fb, 1)
    assert read(fb, cert).loss_report is None
    assert early(fb, cert, all=True, to_account=acc).deposit_status == "closed"
    assert idn


def test_release_needs_the_holders_id(fb: FreshBank) -> None:
    _cust, acc, idn = customer_with_account(fb)
    cert = open_td(fb, from_account=acc).certificate_number
    report(fb, cert, "oral")
    release = time_loss.release_loss_report
    refused(
        lambda: fb.bank.run(release, fb.teller, cert, HolderIdentity(id_number=holder_id())),
        "IDENTITY_MISMATCH",
    )
    done = fb.bank.run(release, fb.teller, cert, HolderIdentity(id_number=idn.lower()))
    assert done.status == "released" and read(fb, cert).loss_report is None
    refused(lambda: fb.bank.run(release, fb.teller, cert, HolderIdentity(id_number=idn)), "NO_LOSS_REPORT")
    assert early(fb, cert, amount="100.00", to_account=acc).remaining_principal == "9900.00"


def test_written_report_then_reissue_after_seven_days_voids_the_old_certificate(fb: FreshBank) -> None:
    _cust, acc, idn = customer_with_account(fb)
    old = open_td(fb, from_account=acc).certificate_number
    report(fb, old, "oral")
    refused(lambda: report(fb, old, "written"), "IDENTITY_MISMATCH")  # a written report needs the ID
    w = report(fb, old, "written", idn)  # takes over from the oral one
    assert (w.kind, w.reissue_from) == ("written", rules.written_report_ripens_on(fb.business_date()))
    reissue = time_loss.reissue_certificate
    advance(fb, 6)
    refused(lambda: fb.bank.run(reissue, fb.teller, old, HolderIdentity(id_number=idn)), "REISSUE_TOO_EARLY")
    refused(lambda: early(fb, old, all=True, to_account=acc, id_number=idn), "CERTIFICATE_REPORTED_LOST")
    advance(fb, 1)
    refused(
        lambda: fb.bank.run(reissue, fb.teller, old, HolderIdentity(id_number=holder_id())),
        "IDENTITY_MISMATCH",
    )
    new = fb.bank.run(reissue, fb.teller, old, HolderIdentity(id_number=idn))
    assert new.old_certificate_number == old
    fresh = new.deposit.certificate_number
    assert fresh != old and luhn_valid(fresh) and new.deposit.principal == "10000.00"
    assert new.deposit.loss_report is None
    refused(lambda: read(fb, old), "CERTIFICATE_VOID")
    refused(lambda: early(fb, old, all=True, to_account=acc), "CERTIFICATE_VOID")
    assert early(fb, fresh, all=True, to_account=acc).deposit_status == "closed"


def test_written_report_allows_the_holder_to_withdraw_after_seven_days(fb: FreshBank) -> None:
    _cust, acc, idn = customer_with_account(fb)
    cert = open_td(fb, from_account=acc).certificate_number
    report(fb, cert, "written", idn)
    advance(fb, 7)
    refused(lambda: early(fb, cert, all=True, to_account=acc), "IDENTITY_MISMATCH")
    out = early(fb, cert, all=True, to_account=acc, id_number=idn)
    # 10,000.00 × 0.35 % × 7 ÷ 360 = 0.6805... -> 0.68
    assert (out.interest, out.deposit_status) == ("0.68", "closed")


def test_a_deposit_under_a_loss_report_is_held_at_maturity(fb: FreshBank) -> None:
    _cust, acc, idn = customer_with_account(fb)
    td = open_td(fb, from_account=acc, term_months=3, maturity_instruction="pay_to_account")
    maturity = rules.maturity_date(fb.business_date(), 3)
    move_to(fb, maturity - timedelta(days=1))
    report(fb, td.certificate_number, "written", idn)
    move_to(fb, maturity + timedelta(days=1))
    assert read(fb, td.certificate_number).status == "matured"
    assert balance(fb, acc) == "40000.00"
    fb.bank.run(
        time_loss.release_loss_report, fb.teller, td.certificate_number, HolderIdentity(id_number=idn)
    )
    out = withdraw(fb, td.certificate_number, to_account=acc)
    # 27.50 for the term and 10,000.00 × 0.35 % × 1 ÷ 360 = 0.097 -> 0.10 for the day past maturity
    assert (out.interest, out.total) == ("27.60", "10027.60")


# ---------------------------------------------------------------------------------------------------- authorization


def test_large_cash_payout_waits_for_a_supervisor(fb: FreshBank) -> None:
    # bootstrap wires the executor for the running bank; registering it again here is harmless
    operations.register_executor(time_payouts.CASH_PAYOUT_KIND, time_payouts.execute_cash_payout)
    _cust, acc, _ = customer_with_account(fb, "60000.00")
    cert = open_td(fb, from_account=acc, amount="60000.00").certificate_number
    cash_before = till(fb)
    before = ledger_state(fb.bank)
    pending = fb.bank.run(
        time_payouts.early_withdrawal, fb.teller, cert, EarlyWithdrawal(all=True, cash=True), key()
    )
    assert isinstance(pending, PendingApproval) and "60000.00 CNY in cash" in pending.summary
    assert read(fb, cert).principal == "60000.00"
    assert ledger_state(fb.bank)["balances"] == before["balances"]
    refused(lambda: fb.bank.run(operations.approve, fb.teller, pending.approval_id), "PERMISSION_DENIED")
    done = fb.bank.run(operations.approve, fb.supervisor, pending.approval_id)
    assert done.status == "executed" and done.result is not None
    assert (done.result["total"], done.result["deposit_status"]) == ("60000.00", "closed")
    assert till(fb) == cash_before - 6_000_000  # paid from the maker's till
    assert read(fb, cert).status == "closed"
    # to an account, no authorization is needed
    cert2 = open_td(fb, cash=True, customer_number=_cust, amount="60000.00").certificate_number
    assert early(fb, cert2, all=True, to_account=acc).total == "60000.00"


def test_a_rollover_gives_the_new_term_its_own_partial_withdrawal(fb: FreshBank) -> None:
    _cust, acc, _ = customer_with_account(fb, "20000.00")
    td = open_td(
        fb,
        from_account=acc,
        term_months=3,
        amount="20000.00",
        maturity_instruction="rollover_principal_and_interest",
    )
    advance(fb, 10)
    early(fb, td.certificate_number, amount="1000.00", to_account=acc)
    assert read(fb, td.certificate_number).partial_withdrawals_used == 1
    move_to(fb, rules.maturity_date(td.term_start, 3))
    run_maturity(fb, fb.business_date())
    renewed = read(fb, td.certificate_number)
    assert renewed.rollovers == 1 and renewed.partial_withdrawals_used == 0
    advance(fb, 1)
    part = early(fb, td.certificate_number, amount="500.00", to_account=acc)
    assert part.deposit_status == "active"


def test_a_product_that_allows_no_early_withdrawal_refuses_it_and_changes_nothing(fb: FreshBank) -> None:
    from sqlalchemy import update

    _cust, acc, _ = customer_with_account(fb, "5000.00")
    td = open_td(fb, from_account=acc, amount="5000.00")

    def rule(uow: Any, value: str) -> None:
        uow.session.execute(update(Product).where(Product.code == "TIME_CNY").values(early_withdrawal=value))

    fb.bank.run(rule, "not_allowed")
    try:
        before = ledger_state(fb.bank)
        refused(
            lambda: early(fb, td.certificate_number, all=True, to_account=acc), "EARLY_WITHDRAWAL_NOT_ALLOWED"
        )
        assert ledger_state(fb.bank) == before
    finally:
        fb.bank.run(rule, "demand_rate")


def test_a_product_may_move_a_holiday_maturity_to_the_next_working_day(fb: FreshBank) -> None:
    """The holiday convention is a product parameter: with next_working_day, a deposit whose term ends on a
    holiday of the loaded calendar matures on the first working day after it, and end of day on the holiday
    leaves it alone."""
    _cust, acc, _ = customer_with_account(fb)
    start = fb.business_date()
    natural = rules.maturity_date(start, 3)
    code = "TIME_FWD_CNY"

    def product(uow: Any) -> None:
        _holiday_product(uow, code, start, natural)
        uow.session.flush()
        uow.session.get(Product, code).params = {"maturity_holiday_rule": "next_working_day"}

    fb.bank.run(product)
    # The natural maturity day and the day after are holidays; the calendar says so for that year.
    closed = [natural, natural + timedelta(days=1)]
    while (closed[-1] + timedelta(days=1)).weekday() >= 5:  # and a weekend right after, if there is one
        closed.append(closed[-1] + timedelta(days=1))
    csv_text = "\n".join(f"{d.isoformat()},holiday,test holiday" for d in closed)
    fb.bank.run(bank_calendar.load_calendar, SYSTEM, csv_text)
    working = closed[-1] + timedelta(days=1)

    td = open_td(
        fb, from_account=acc, product_code=code, term_months=3, maturity_instruction="pay_to_account"
    )
    assert td.maturity_date == working
    move_to(fb, natural)
    assert run_maturity(fb, natural) == 0  # end of day on the holiday matures nothing
    assert read(fb, td.certificate_number).status == "active"
    move_to(fb, working)
    assert run_maturity(fb, working) == 1
    paid = read(fb, td.certificate_number)
    # The term's interest is the term's: 10,000.00 × 1.10 % × 3 ÷ 12 = 27.50, credited on the working day.
    assert (paid.status, paid.closed_on, paid.interest_paid) == ("closed", working, "27.50")
    # The rule is checked: an unknown convention is refused, not guessed.
    fb.bank.run(lambda uow: setattr(uow.session.get(Product, code), "params", {"maturity_holiday_rule": "x"}))
    refused(lambda: open_td(fb, from_account=acc, product_code=code, term_months=3), "INVALID_REQUEST")
