"""Bulk payment files (pain.001): a payroll run posted line by line, and every bad file rejected whole."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from pathlib import Path

import pytest

from corebank import accounts
from corebank.bootstrap import Bank
from corebank.kernel.errors import CoreBankError
from corebank.payments import bulk
from corebank.payments.bulk_schemas import BulkBatchRead
from corebank.security import Actor
from tests.factories import Staff, funded_account, ledger_state, new_account
from tests.integration.payments.bulk_support import (
    OTHER_BANK,
    Pay,
    balance,
    batch_rows,
    suspense,
    trial_balance_zero,
    write_pain001,
)

_keys = itertools.count(1)


def key() -> str:
    return f"bulk-test-{next(_keys)}"


def upload(bank: Bank, actor: Actor, path: Path, k: str | None = None) -> BulkBatchRead:
    return bank.run(bulk.upload, actor, path, k or key(), file_name=path.name)


@pytest.fixture
def teller(staff: Staff) -> Actor:
    return staff["teller"].actor


def test_payroll_file_credits_staff_here_sends_the_rest_and_refunds_failures(
    bank: Bank, staff: Staff, teller: Actor, tmp_path: Path
) -> None:
    ours = bank.settings.bank_code
    payer = funded_account(bank, teller, "50000.00")
    alice = new_account(bank, teller)
    bob = funded_account(bank, teller, "10.00")
    east = new_account(bank, staff["east_teller"].actor)  # an employee banking at branch 0002
    closed = new_account(bank, teller)
    bank.run(accounts.close_account, teller, closed.number, accounts.CloseRequest(), key())
    frozen = new_account(bank, teller)
    supervisor = staff["supervisor"].actor
    bank.run(
        accounts.freeze, supervisor, frozen.number, accounts.FreezeRequest(kind="full", reason="court order")
    )
    blocked = new_account(bank, teller)
    bank.run(
        accounts.set_blocks,
        supervisor,
        blocked.number,
        accounts.BlockRequest(credit_blocked=True, reason="customer request"),
    )
    lines = [
        Pay(alice.number, "8000.00", ours, "Alice"),
        Pay(bob.number, "7500.50", ours, "Bob"),
        Pay(east.number, "6200.00", ours, "East"),
        Pay("6222020000000000001", "5100.00", OTHER_BANK, "Carol at another bank"),
        Pay("99999999999999", "100.00", ours, "Nobody"),
        Pay(closed.number, "200.00", ours, "Left us"),
        Pay(frozen.number, "300.00", ours, "Frozen"),
        Pay(blocked.number, "400.00", ours, "Blocked"),
        Pay(bob.number, "99.50", ours, "Bob's expenses"),  # a payee twice in one file
    ]
    path = write_pain001(tmp_path / "payroll.xml", payer=payer.number, lines=lines, bank_code=ours)
    suspense_before = suspense(bank)

    read = upload(bank, teller, path)

    assert read.status == "partially_posted"
    assert (read.line_count, read.total) == (9, "27900.00")
    assert (read.credited_count, read.credited_total) == (4, "21800.00")
    assert (read.external_count, read.external_total) == (1, "5100.00")
    assert (read.failed_count, read.failed_total) == (4, "1000.00")
    assert read.funding_entry_id and read.refund_entry_id
    # The payer paid what was credited here and what left for the other bank; the failures came back.
    assert balance(bank, payer.number) == Decimal("50000.00") - Decimal("21800.00") - Decimal("5100.00")
    assert balance(bank, alice.number) == Decimal("8000.00")
    assert balance(bank, bob.number) == Decimal("10.00") + Decimal("7500.50") + Decimal("99.50")
    assert balance(bank, east.number) == Decimal("6200.00")
    for untouched in (frozen, blocked):
        assert balance(bank, untouched.number) == 0
    # Clearing suspense holds exactly the external line until clearing settles it.
    assert suspense(bank) - suspense_before == -510000
    assert trial_balance_zero(bank)

    report = bank.run(bulk.get_batch, teller, read.batch_id, readonly=True)
    by_seq = {ln.seq: ln for ln in report.lines}
    assert [by_seq[i].status for i in range(1, 10)] == [
        "credited",
        "credited",
        "credited",
        "sent_external",
        "failed",
        "failed",
        "failed",
        "failed",
        "credited",
    ]
    assert [by_seq[i].reason_code for i in (5, 6, 7, 8)] == ["AC01", "AC04", "AC06", "AC06"]
    assert by_seq[8].reason_text.startswith("the account may not receive")
    assert by_seq[4].interbank_payment_id is not None and by_seq[4].credit_entry_id is None
    assert by_seq[1].credit_entry_id is not None
    failed = bank.run(bulk.get_batch, teller, read.batch_id, status="failed", limit=2, readonly=True)
    assert [ln.seq for ln in failed.lines] == [5, 6] and failed.next_cursor == "6"

    csv_text = "".join(bulk.report_csv([report.lines]))
    assert csv_text.splitlines()[0].startswith("seq,pmt_inf_id,end_to_end_id")
    assert len(csv_text.splitlines()) == 10
    listed = bank.run(bulk.list_batches, staff["auditor"].actor, payer_account=payer.number, readonly=True)
    assert [b.batch_id for b in listed.items] == [read.batch_id]


def test_retry_with_the_same_key_answers_the_first_result(bank: Bank, teller: Actor, tmp_path: Path) -> None:
    ours = bank.settings.bank_code
    payer = funded_account(bank, teller, "1000.00")
    payee = new_account(bank, teller)
    path = write_pain001(
        tmp_path / "retry.xml", payer=payer.number, lines=[Pay(payee.number, "300.00", ours)], bank_code=ours
    )
    k = key()
    first = upload(bank, teller, path, k)
    state = ledger_state(bank)

    again = upload(bank, teller, path, k)

    assert again == first
    assert ledger_state(bank) == state
    assert balance(bank, payee.number) == Decimal("300.00")
    other = write_pain001(
        tmp_path / "other.xml", payer=payer.number, lines=[Pay(payee.number, "1.00", ours)], bank_code=ours
    )
    with pytest.raises(CoreBankError) as err:
        upload(bank, teller, other, k)
    assert err.value.code == "IDEMPOTENCY_KEY_REUSED"


def _refused(bank: Bank, actor: Actor, path: Path, code: str) -> None:
    before, rows = ledger_state(bank), batch_rows(bank)
    with pytest.raises(CoreBankError) as err:
        upload(bank, actor, path)
    assert err.value.code == code, err.value
    assert ledger_state(bank) == before
    assert batch_rows(bank) == rows


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("malformed", "XML_MALFORMED"),
        ("schema", "XML_SCHEMA_INVALID"),
        ("control_sum", "PAIN001_CONTROL_SUM"),
        ("count", "PAIN001_COUNT"),
        ("truncated", "XML_MALFORMED"),
        ("currency", "BULK_CURRENCY"),
    ],
)
def test_bad_file_is_rejected_whole_and_changes_nothing(
    bank: Bank, teller: Actor, tmp_path: Path, case: str, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The file is read once, its lines written as they come: a line a chunk, so that some are written
    # before the error shows, and must be rolled back with the rest.
    monkeypatch.setattr(bulk, "INSERT_CHUNK", 1)
    ours = bank.settings.bank_code
    payer = funded_account(bank, teller, "1000.00")
    payee = new_account(bank, teller)
    lines = [Pay(payee.number, "100.00", ours), Pay(payee.number, "50.00", ours)]
    path = tmp_path / f"{case}.xml"
    if case == "control_sum":
        write_pain001(path, payer=payer.number, lines=lines, bank_code=ours, control_sum="150.01")
    elif case == "count":
        write_pain001(path, payer=payer.number, lines=lines, bank_code=ours, nb_of_txs=3)
    else:
        write_pain001(path, payer=payer.number, lines=lines, bank_code=ours)
        xml = path.read_bytes()
        if case == "malformed":
            xml = xml.replace(b"</MsgId>", b"</MsgIdent>")
        elif case == "truncated":  # cut inside the second line, after the first was read
            xml = xml[: xml.rindex(b"<CdtTrfTxInf>") + 60]
        elif case == "currency":  # a whole file in a currency the payer account does not hold
            xml = xml.replace(b'Ccy="CNY"', b'Ccy="USD"')
        else:
            xml, n = re.subn(rb"<PmtMtd[^>]*>TRF</PmtMtd>", b"", xml)  # a mandatory element left out
            assert n == 1
        path.write_bytes(xml)
    _refused(bank, teller, path, code)
    assert balance(bank, payee.number) == 0


def test_message_id_already_processed_is_refused(bank: Bank, teller: Actor, tmp_path: Path) -> None:
    ours = bank.settings.bank_code
    payer = funded_account(bank, teller, "1000.00")
    payee = new_account(bank, teller)
    lines = [Pay(payee.number, "10.00", ours)]
    upload(
        bank,
        teller,
        write_pain001(
            tmp_path / "a.xml", payer=payer.number, lines=lines, bank_code=ours, msg_id="MAR-PAYROLL"
        ),
    )
    again = write_pain001(
        tmp_path / "b.xml", payer=payer.number, lines=lines, bank_code=ours, msg_id="MAR-PAYROLL"
    )
    _refused(bank, teller, again, "DUPLICATE_MESSAGE")
    assert balance(bank, payee.number) == Decimal("10.00")


def test_closed_payer_is_refused(bank: Bank, teller: Actor, tmp_path: Path) -> None:
    ours = bank.settings.bank_code
    payer = new_account(bank, teller)
    bank.run(accounts.close_account, teller, payer.number, accounts.CloseRequest(), key())
    payee = new_account(bank, teller)
    path = write_pain001(
        tmp_path / "c.xml", payer=payer.number, lines=[Pay(payee.number, "1.00", ours)], bank_code=ours
    )
    _refused(bank, teller, path, "ACCOUNT_CLOSED")


def test_payer_without_the_funds_is_refused_whole(bank: Bank, teller: Actor, tmp_path: Path) -> None:
    ours = bank.settings.bank_code
    payer = funded_account(bank, teller, "999.99")
    payee = new_account(bank, teller)
    lines = [Pay(payee.number, "500.00", ours), Pay(payee.number, "500.00", ours)]
    path = write_pain001(tmp_path / "nsf.xml", payer=payer.number, lines=lines, bank_code=ours)
    _refused(bank, teller, path, "INSUFFICIENT_FUNDS")
    assert balance(bank, payer.number) == Decimal("999.99")


def test_payer_outside_the_tellers_branch_is_refused(
    bank: Bank, staff: Staff, teller: Actor, tmp_path: Path
) -> None:
    ours = bank.settings.bank_code
    payer = funded_account(bank, teller, "100.00")
    payee = new_account(bank, teller)
    path = write_pain001(
        tmp_path / "scope.xml", payer=payer.number, lines=[Pay(payee.number, "1.00", ours)], bank_code=ours
    )
    _refused(bank, staff["east_teller"].actor, path, "OUT_OF_BRANCH_SCOPE")


def test_file_from_another_banks_account_is_refused(bank: Bank, teller: Actor, tmp_path: Path) -> None:
    payee = new_account(bank, teller)
    path = write_pain001(
        tmp_path / "foreign.xml",
        payer="6222020000000000009",
        lines=[Pay(payee.number, "1.00", bank.settings.bank_code)],
        bank_code=OTHER_BANK,
    )
    _refused(bank, teller, path, "BULK_PAYER_BANK")
