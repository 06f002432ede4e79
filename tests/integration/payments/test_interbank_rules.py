"""Interbank routing (HVPS or BEPS), cut-off value dating, counter fees, and requests refused unchanged."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from corebank import accounts
from corebank.bootstrap import Bank
from corebank.kernel.errors import CoreBankError
from corebank.kernel.money import Money
from corebank.payments import clearing_link, fees, interbank
from corebank.payments import interbank_rules as rules
from corebank.payments.interbank_schemas import InterbankCreate
from tests.factories import Staff, funded_account, ledger_state, new_account
from tests.integration.payments.interbank_support import OTHER_BANK, FixedClock, balance, row

MONDAY, TUESDAY = date(2026, 3, 2), date(2026, 3, 3)
SATURDAY, NEXT_MONDAY = date(2026, 3, 7), date(2026, 3, 9)


def route(amount: str, urgent: bool = False, at: time = time(10, 0), day: date = MONDAY) -> tuple[str, date]:
    working = day.weekday() < 5
    nxt = {MONDAY: TUESDAY, SATURDAY: NEXT_MONDAY}[day]
    r = rules.route(
        amount=Decimal(amount),
        urgent=urgent,
        beps_limit=Decimal("50000.00"),
        business_date=day,
        next_working_day=nxt,
        today_is_working=working,
        wall=at,
        opens=time(8, 30),
        closes=time(17, 15),
        cutoff=time(17, 0),
    )
    return r.system, r.value_date


def test_routing_by_amount_urgency_and_hours() -> None:
    assert route("50000.00") == ("BEPS", MONDAY)  # at the BEPS limit
    assert route("50000.01") == ("HVPS", MONDAY)  # over it
    assert route("10.00", urgent=True) == ("HVPS", MONDAY)
    # Before HVPS opens: an urgent small payment goes BEPS now; a large one waits for HVPS today.
    assert route("10.00", urgent=True, at=time(7, 0)) == ("BEPS", MONDAY)
    assert route("80000.00", at=time(7, 0)) == ("HVPS", MONDAY)
    # At the weekend BEPS runs; HVPS-only payments wait for Monday.
    assert route("10.00", day=SATURDAY) == ("BEPS", SATURDAY)
    assert route("10.00", urgent=True, day=SATURDAY) == ("BEPS", SATURDAY)
    assert route("80000.00", day=SATURDAY) == ("HVPS", NEXT_MONDAY)


def test_payments_after_the_cut_off_are_value_dated_the_next_working_day() -> None:
    assert route("10.00", at=time(17, 0)) == ("BEPS", MONDAY)
    assert route("10.00", at=time(17, 1)) == ("BEPS", TUESDAY)
    assert route("80000.00", at=time(17, 1)) == ("HVPS", TUESDAY)
    assert route("10.00", at=time(23, 0), day=SATURDAY) == ("BEPS", NEXT_MONDAY)


def test_wall_time_is_read_in_the_bank_zone() -> None:
    zone = rules.bank_zone("Asia/Shanghai")
    assert rules.local_time(datetime(2026, 3, 2, 9, 5, tzinfo=UTC), zone) == time(17, 5)
    assert rules.local_time(datetime(2026, 3, 2, 9, 5), zone) == time(17, 5)  # naive = UTC


@pytest.mark.parametrize(
    ("amount", "channel", "fee"),
    [
        ("0.01", "counter", "5.00"),
        ("10000.00", "counter", "5.00"),
        ("10000.01", "counter", "10.00"),
        ("100000.00", "counter", "10.00"),
        ("500000.00", "counter", "15.00"),
        ("1000000.00", "counter", "20.00"),
        ("2000000.00", "counter", "40.00"),  # 0.002 %
        ("9000000.00", "counter", "180.00"),
        ("50000000.00", "counter", "200.00"),  # capped
        ("1234567.89", "counter", "24.69"),  # 24.6913578 rounded half up
        ("1000000.00", "mobile", "0.00"),  # e-channels are free
        ("1000000.00", "internet", "0.00"),
    ],
)
def test_counter_fee_bands(amount: str, channel: str, fee: str) -> None:
    bands = fees.parse_fee_bands("10000=5,100000=10,500000=15,1000000=20,above=0.002%:200")
    assert fees.interbank_fee(Money.of(amount, "CNY"), channel, bands).text() == fee
    assert fees.interbank_fee(Money.of(amount, "CNY"), channel, bands, waived=True).text() == "0.00"


@pytest.mark.parametrize("text", ["10000=5", "10000=x,above=1%:2", "100=5,10=6,above=1%:2", "above=1:2", "x"])
def test_a_malformed_fee_setting_is_refused(text: str) -> None:
    with pytest.raises(CoreBankError):
        fees.parse_fee_bands(text)


def test_ids_fit_iso_and_names_compare_loosely() -> None:
    assert len(rules.clearing_id("313100000013", MONDAY, "T", 12)) <= 35
    assert rules.names_match("ZHANG  San", "Zhang San")
    assert rules.names_match("张三", "张 三")
    assert rules.names_match("ＬＩ　Ｎａ", "Li Na")  # full-width typing
    assert not rules.names_match("Zhang Si", "Zhang San")


# ---------------------------------------------------------------- the service with the bank


@pytest.fixture(autouse=True)
def morning(bank: Bank, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bank.uow, "clock", FixedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)))


def cmd(payer: str, amount: str = "100.00", **kw: object) -> InterbankCreate:
    body: dict[str, object] = {
        "from_account": payer,
        "creditor_bank_code": OTHER_BANK,
        "creditor_account": "6222000011112222",
        "creditor_name": "Li Na",
        "amount": amount,
    }
    body.update(kw)
    return InterbankCreate(**body)  # type: ignore[arg-type]


def test_a_payment_after_the_cut_off_waits_for_the_next_working_day(
    bank: Bank, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    payer = funded_account(bank, staff["teller"].actor, "1000.00")
    monkeypatch.setattr(bank.uow, "clock", FixedClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC)))  # 17:30
    paid = bank.run(interbank.send_interbank, staff["teller"].actor, cmd(payer.number), "ibr-late-1")
    assert paid.value_date == TUESDAY
    bank.run(clearing_link.claim_outbound)  # the sender leaves it for its value date
    assert row(bank, paid.payment_id).msg_id is None


def test_a_retried_request_returns_the_first_payment(bank: Bank, staff: Staff) -> None:
    payer = funded_account(bank, staff["teller"].actor, "1000.00")
    first = bank.run(interbank.send_interbank, staff["teller"].actor, cmd(payer.number), "ibr-retry-1")
    again = bank.run(interbank.send_interbank, staff["teller"].actor, cmd(payer.number), "ibr-retry-1")
    assert again.payment_id == first.payment_id
    assert balance(bank, payer.number) == "895.00"


def test_bad_requests_change_nothing(bank: Bank, staff: Staff) -> None:
    teller, supervisor = staff["teller"].actor, staff["supervisor"].actor
    payer = funded_account(bank, teller, "100.00")
    closed = new_account(bank, teller)
    bank.run(accounts.close_account, teller, closed.number, accounts.CloseRequest(), "ibr-close-1")
    frozen = funded_account(bank, teller, "100.00")
    bank.run(accounts.freeze, supervisor, frozen.number, accounts.FreezeRequest(kind="full", reason="court"))
    cases = [
        (cmd("6200000000000000000"), "ACCOUNT_NOT_FOUND"),
        (cmd(closed.number), "ACCOUNT_CLOSED"),
        (cmd(frozen.number), "ACCOUNT_FROZEN"),
        (cmd(payer.number, "96.00"), "INSUFFICIENT_FUNDS"),  # 96 + 5 fee > 100
        (cmd(payer.number, "0.00"), "INVALID_AMOUNT"),
        (cmd(payer.number, creditor_bank_code="12345"), "BAD_BANK_CODE"),
        (cmd(payer.number, creditor_bank_code=bank.settings.bank_code), "SAME_BANK"),
        (cmd(payer.number, currency="USD"), "INTERBANK_CURRENCY"),
    ]
    before = ledger_state(bank)
    for i, (bad, code) in enumerate(cases):
        with pytest.raises(CoreBankError) as refused:
            bank.run(interbank.send_interbank, teller, bad, f"ibr-bad-{i}")
        assert refused.value.code == code, (bad, refused.value)
    assert ledger_state(bank) == before
    page = bank.run(interbank.list_payments, teller, account=payer.number, readonly=True)
    assert page.items == []


def test_a_teller_of_another_branch_cannot_pay_from_the_account(bank: Bank, staff: Staff) -> None:
    payer = funded_account(bank, staff["teller"].actor, "100.00")
    with pytest.raises(CoreBankError) as refused:
        bank.run(interbank.send_interbank, staff["east_teller"].actor, cmd(payer.number), "ibr-scope-1")
    assert refused.value.code == "OUT_OF_BRANCH_SCOPE"
