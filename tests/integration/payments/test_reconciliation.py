"""Daily reconciliation (对账) against crafted settlement files: payments made through the real interbank use
cases and clearing steps, then files that agree, that differ in every way once, that are re-run, and that are
not valid at all; exceptions worked by their owners until clearing suspense (GL 1011) is zero."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from corebank import ledger
from corebank.db.models import AuditRecord
from corebank.kernel.errors import PermissionDenied
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.payments import interbank, reconcile
from corebank.payments.interbank_schemas import InterbankCreate, InterbankRead
from corebank.payments.recon_errors import (
    ExceptionClosed,
    NotExceptionOwner,
    OwnerNotEligible,
    ReconFileInvalid,
    ResolutionNotApplicable,
    ResolutionNoteRequired,
)
from corebank.payments.recon_models import ReconException, ReconFileLine, ReconRun
from corebank.payments.recon_schemas import ReconExceptionRead
from corebank.security import Actor
from tests.factories import funded_account
from tests.integration.conftest import FreshBank
from tests.integration.payments.interbank_support import OTHER_BANK, FixedClock, balance, row, step, suspense

DAY1, DAY2, DAY3 = date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 3)
HEADER = ",".join(reconcile.HEADER)


@pytest.fixture(scope="module")
def people(fresh_bank: FreshBank) -> dict[str, Actor]:
    fb = fresh_bank
    return {
        "clerk": fb.add_staff("clerk", "accountant", "0001"),
        "clerk2": fb.add_staff("clerk2", "accountant", "0001"),
        "auditor": fb.add_staff("auditor", "auditor", "0001"),
        "teller": fb.teller,
    }


@pytest.fixture(autouse=True)
def morning(fresh_bank: FreshBank, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    day = fresh_bank.business_date()
    monkeypatch.setattr(
        fresh_bank.bank.uow, "clock", FixedClock(datetime(day.year, day.month, day.day, 2, tzinfo=UTC))
    )
    yield


def pay(fb: FreshBank, payer: str, amount: str, key: str, urgent: bool = False) -> InterbankRead:
    cmd = InterbankCreate(
        from_account=payer,
        creditor_bank_code=OTHER_BANK,
        creditor_account="6222000011112222",
        creditor_name="Li Na",
        amount=amount,
        urgent=urgent,
    )
    return fb.bank.run(interbank.send_interbank, fb.teller, cmd, key)


def line(
    day: date,
    p: InterbankRead | None,
    status: str = "settled",
    *,
    amount: str | None = None,
    msg_type: str = "pacs.008",
    direction: str = "debit",
    tx_id: str | None = None,
    original_tx_id: str = "",
) -> str:
    """One settlement-file line as the clearing house writes it (for payment `p`, or a stranger's)."""
    ours = "313100000013"
    tx = tx_id or (p.tx_id if p else "")
    amt = amount or (p.amount if p else "1.00")
    debtor, creditor = (ours, OTHER_BANK) if direction == "debit" else (OTHER_BANK, ours)
    settled_at = f"{day}T02:00:00+00:00" if status == "settled" else ""
    system = p.system if p else "HVPS"
    return (
        f"{day},{system},,{msg_type},M{tx[-20:]},{tx},E{tx[-20:]},{original_tx_id},{debtor},{creditor},"
        f"{amt},CNY,{status},{direction},{settled_at}"
    )


def file_of(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def run(fb: FreshBank, actor: Actor, day: date, data: bytes) -> Any:
    return fb.bank.run(reconcile.run_reconciliation, actor, day, data, "upload")


def exceptions(fb: FreshBank, actor: Actor, day: date, **kw: Any) -> list[ReconExceptionRead]:
    return fb.bank.run(reconcile.list_exceptions, actor, day=day, limit=500, readonly=True, **kw).items


def by_kind(items: list[ReconExceptionRead]) -> dict[str, list[ReconExceptionRead]]:
    out: dict[str, list[ReconExceptionRead]] = {}
    for e in items:
        out.setdefault(e.kind, []).append(e)
    return out


def counts(fb: FreshBank) -> tuple[int, ...]:
    def read(uow: Any) -> tuple[int, ...]:
        return tuple(
            int(uow.session.execute(select(func.count()).select_from(m)).scalar_one())
            for m in (ReconRun, ReconFileLine, ReconException, AuditRecord)
        )

    return fb.bank.run(read, readonly=True)


def test_a_file_that_agrees_with_the_bank_gives_no_exception(
    fresh_bank: FreshBank, people: dict[str, Actor]
) -> None:
    fb = fresh_bank
    assert fb.business_date() == DAY1
    payer = funded_account(fb.bank, fb.teller, "50000.00")
    settled = pay(fb, payer.number, "1000.00", "r1-1")
    pending = pay(fb, payer.number, "2000.00", "r1-2")
    rejected = pay(fb, payer.number, "3000.00", "r1-3")
    returned = pay(fb, payer.number, "400.00", "r1-4", urgent=True)
    step(fb.bank, interbank.mark_settled, settled.payment_id)
    step(fb.bank, interbank.mark_sent, pending.payment_id)
    step(fb.bank, interbank.mark_sent, rejected.payment_id)
    step(fb.bank, interbank.mark_rejected, rejected.payment_id, "AM04", "insufficient")
    step(fb.bank, interbank.mark_settled, returned.payment_id)
    step(
        fb.bank,
        interbank.mark_returned,
        returned.payment_id,
        return_id="RTR1",
        return_msg_id="RM1",
        reason="AC01",
    )
    data = file_of(
        line(DAY1, settled),
        line(DAY1, pending, "pending"),
        line(DAY1, rejected, "rejected"),
        line(DAY1, returned),
        line(
            DAY1,
            returned,
            msg_type="pacs.004",
            direction="credit",
            tx_id="RTR1",
            original_tx_id=returned.tx_id,
        ),
    )

    r = run(fb, people["clerk"], DAY1, data)

    assert (r.status, r.rows_in_file, r.matched, r.exceptions, r.open_exceptions) == ("matched", 5, 5, 0, 0)
    assert (r.suspense_balance, r.suspense_in_flight, r.suspense_residual) == ("-2000.00", "-2000.00", "0.00")
    assert "must be zero" in r.note
    assert exceptions(fb, people["clerk"], DAY1) == []
    # The netted one settles later; suspense comes back to zero.
    step(fb.bank, interbank.mark_settled, pending.payment_id)
    assert suspense(fb.bank) == 0


def test_every_kind_of_difference_is_found_once_and_worked_to_zero_suspense(
    fresh_bank: FreshBank, people: dict[str, Actor]
) -> None:
    fb = fresh_bank
    fb.move_to(DAY2)
    clerk, clerk2 = people["clerk"], people["clerk2"]
    payer = funded_account(fb.bank, fb.teller, "50000.00")
    a = pay(fb, payer.number, "1000.00", "r2-a")  # sent; clearing settled it
    b = pay(fb, payer.number, "2000.00", "r2-b")  # sent; clearing rejected it
    c = pay(fb, payer.number, "3000.00", "r2-c")  # settled; clearing has another amount
    e = pay(fb, payer.number, "4000.00", "r2-e")  # sent; clearing never had it
    f = pay(fb, payer.number, "500.00", "r2-f", urgent=True)  # settled; returned by the payee's bank
    ok = pay(fb, payer.number, "600.00", "r2-ok")
    for p in (a, b, e):
        step(fb.bank, interbank.mark_sent, p.payment_id)
    for p in (c, f, ok):
        step(fb.bank, interbank.mark_settled, p.payment_id)
    after_payments = balance(fb.bank, payer.number)

    def stray(uow: Any) -> int:  # a voucher booked to suspense by mistake
        amount = Money.of("100.00", "CNY")
        return ledger.post(
            uow,
            EntryDraft(
                "manual",
                (
                    Leg.debit(chart.DUE_FROM_CENTRAL_BANK, "0001", amount),
                    Leg.credit(chart.CLEARING_SUSPENSE, "0001", amount),
                ),
                memo="booked to the wrong account",
            ),
            by="clerk",
            channel="counter",
        ).id

    stray_entry = fb.bank.run(stray)
    data = file_of(
        line(DAY2, a, "settled"),
        line(DAY2, b, "rejected"),
        line(DAY2, c, amount="3000.10"),
        line(DAY2, None, direction="credit", tx_id="GHOSTTX0001", amount="99.00"),
        line(DAY2, f),
        line(DAY2, f, msg_type="pacs.004", direction="credit", tx_id="RTRF0001", original_tx_id=f.tx_id),
        line(DAY2, ok),
    )

    first = run(fb, clerk, DAY2, data)

    found = by_kind(exceptions(fb, clerk, DAY2))
    assert {k: len(v) for k, v in found.items()} == {
        "status_mismatch": 3,
        "amount_mismatch": 1,
        "missing_in_bank": 1,
        "missing_in_clearing": 1,
        "suspense_residual": 1,
    }
    assert (first.status, first.rows_in_file, first.matched, first.exceptions, first.new_exceptions) == (
        "exceptions",
        7,
        2,
        7,
        7,
    )
    assert (first.suspense_balance, first.suspense_in_flight, first.suspense_residual) == (
        "-7100.00",
        "-7000.00",
        "-100.00",
    )
    mismatch = {e.payment_id: e for e in found["status_mismatch"]}
    assert (mismatch[a.payment_id].bank_status, mismatch[a.payment_id].clearing_status) == ("sent", "settled")
    assert (mismatch[b.payment_id].bank_status, mismatch[b.payment_id].clearing_status) == (
        "sent",
        "rejected",
    )
    assert (mismatch[f.payment_id].msg_type, mismatch[f.payment_id].tx_id) == ("pacs.004", "RTRF0001")
    amount = found["amount_mismatch"][0]
    assert (amount.payment_id, amount.bank_amount, amount.clearing_amount) == (
        c.payment_id,
        "3000.00",
        "3000.10",
    )
    assert (found["missing_in_bank"][0].tx_id, found["missing_in_bank"][0].payment_id) == (
        "GHOSTTX0001",
        None,
    )
    assert (found["missing_in_clearing"][0].payment_id, found["missing_in_clearing"][0].bank_status) == (
        e.payment_id,
        "sent",
    )

    again = run(fb, clerk, DAY2, data)
    assert (again.exceptions, again.new_exceptions, again.open_exceptions) == (7, 0, 7)
    assert len(exceptions(fb, clerk, DAY2)) == 7
    assert {x.last_run_id for x in exceptions(fb, clerk, DAY2)} == {again.run_id}

    # The owner works hers; nobody else may.
    ex_a = mismatch[a.payment_id]
    fb.bank.run(reconcile.assign, clerk, ex_a.exception_id, "clerk2")
    with pytest.raises(NotExceptionOwner):
        fb.bank.run(reconcile.resolve, clerk, ex_a.exception_id, "apply_clearing", "")
    s0 = suspense(fb.bank)
    done = fb.bank.run(reconcile.resolve, clerk2, ex_a.exception_id, "apply_clearing", "ACSC in the file")
    assert (done.status, done.resolution, done.resolved_by) == ("resolved", "apply_clearing", "clerk2")
    assert done.entry_id == row(fb.bank, a.payment_id).settle_entry_id
    assert row(fb.bank, a.payment_id).status == "settled"
    assert suspense(fb.bank) - s0 == 100000  # 1011 toward zero
    with pytest.raises(ExceptionClosed):
        fb.bank.run(reconcile.resolve, clerk2, ex_a.exception_id, "apply_clearing", "")

    # Rejected at clearing, unknown to clearing, returned by the payee's bank: booked as clearing says.
    for ex in (mismatch[b.payment_id], found["missing_in_clearing"][0], mismatch[f.payment_id]):
        fb.bank.run(reconcile.resolve, clerk, ex.exception_id, "apply_clearing", "")
    assert [row(fb.bank, p.payment_id).status for p in (b, e, f)] == ["rejected", "rejected", "returned"]
    # 2000 and 4000 back with their 5.00 fees; the returned 500 without its fee (the service was done).
    refunded = Money.of("6510.00", "CNY")
    assert Money.of(balance(fb.bank, payer.number), "CNY") == Money.of(after_payments, "CNY") + refunded

    # A different amount cannot be booked from the file: it is explained and accepted.
    with pytest.raises(ResolutionNotApplicable):
        fb.bank.run(reconcile.resolve, clerk, amount.exception_id, "apply_clearing", "")
    with pytest.raises(ResolutionNoteRequired):
        fb.bank.run(reconcile.resolve, clerk, amount.exception_id, "accept", " ")
    fb.bank.run(
        reconcile.resolve, clerk, amount.exception_id, "accept", "clearing's typo, confirmed by phone"
    )
    ghost = found["missing_in_bank"][0]
    up = fb.bank.run(reconcile.resolve, clerk, ghost.exception_id, "escalate", "not ours? ask the other bank")
    assert (up.status, up.escalated, up.owner) == ("open", True, None)
    fb.bank.run(
        reconcile.resolve, clerk2, ghost.exception_id, "accept", "misrouted by clearing; they reverse it"
    )

    # The stray voucher is reversed; the next run clears the residual and finds nothing new.
    fb.bank.run(lambda uow: ledger.reverse(uow, stray_entry, memo="wrong account", by="clerk"))
    last = run(fb, clerk, DAY2, data)
    assert (last.status, last.new_exceptions, last.cleared_exceptions, last.open_exceptions) == (
        "matched",
        0,
        1,
        0,
    )
    assert (last.suspense_balance, last.suspense_residual) == ("0.00", "0.00")
    assert suspense(fb.bank) == 0
    assert len(exceptions(fb, clerk, DAY2)) == 7
    assert exceptions(fb, clerk, DAY2, status="open") == []
    residual = by_kind(exceptions(fb, clerk, DAY2))["suspense_residual"][0]
    assert (residual.status, residual.resolution) == ("resolved", "cleared")
    assert fb.bank.run(lambda uow: ledger.trial_balance(uow).balanced, readonly=True)

    text = fb.bank.run(reconcile.exceptions_csv, clerk, day=DAY2, readonly=True)
    rows = text.strip().split("\n")
    assert rows[0].startswith("exception_id,run_id,") and len(rows) == 8


@pytest.mark.parametrize(
    "data, says",
    [
        (b"date,amount\n2026-06-02,1.00\n", "header"),
        (file_of(line(DAY2, None, tx_id="X1", amount="12.345")), "decimal places"),
        (file_of(line(DAY1, None, tx_id="X1")), "is not 2026-06-02"),
        (file_of(line(DAY2, None, tx_id="X1"), line(DAY2, None, tx_id="X1")), "listed twice"),
        (file_of(line(DAY2, None, tx_id="X1", msg_type="pacs.009")), "msg_type"),
        (file_of(line(DAY2, None, tx_id="X1") + ",extra"), "fields"),
        (file_of(line(DAY2, None, tx_id="X1", amount="-5.00")), "above zero"),
        (HEADER.encode() + b"\n\xff\xfe\n", "UTF-8"),
    ],
)
def test_a_bad_file_is_refused_whole_and_changes_nothing(
    fresh_bank: FreshBank, people: dict[str, Actor], data: bytes, says: str
) -> None:
    before, s0 = counts(fresh_bank), suspense(fresh_bank.bank)
    with pytest.raises(ReconFileInvalid) as refused:
        run(fresh_bank, people["clerk"], DAY2, data)
    assert refused.value.code == "RECON_FILE_INVALID"
    assert says in refused.value.detail
    assert counts(fresh_bank) == before
    assert suspense(fresh_bank.bank) == s0


def test_only_those_who_reconcile_run_and_work_exceptions(
    fresh_bank: FreshBank, people: dict[str, Actor]
) -> None:
    fb = fresh_bank
    fb.move_to(DAY3)
    teller, auditor, clerk = people["teller"], people["auditor"], people["clerk"]
    data = file_of(line(DAY3, None, tx_id="PERMTX0001"))
    before = counts(fb)
    for actor in (teller, auditor):
        with pytest.raises(PermissionDenied):
            run(fb, actor, DAY3, data)
    with pytest.raises(PermissionDenied):
        fb.bank.run(reconcile.list_exceptions, teller, readonly=True)
    assert counts(fb) == before
    assert fb.bank.run(reconcile.list_runs, auditor, DAY2, readonly=True).items  # auditors read
    r = run(fb, clerk, DAY3, data)
    ghost = next(x for x in exceptions(fb, clerk, DAY3, status="open") if x.tx_id == "PERMTX0001")
    assert r.new_exceptions == 1
    for owner in ("teller", "nobody-here"):
        with pytest.raises(OwnerNotEligible):
            fb.bank.run(reconcile.assign, clerk, ghost.exception_id, owner)
    with pytest.raises(PermissionDenied):
        fb.bank.run(reconcile.resolve, auditor, ghost.exception_id, "accept", "looks fine")
    with pytest.raises(PermissionDenied):
        fb.bank.run(reconcile.assign, teller, ghost.exception_id, "clerk")
    assert fb.bank.run(reconcile.assign, clerk, ghost.exception_id, "clerk").owner == "clerk"
