"""Credits other banks send through clearing: posted to the payee, or held and returned with the reason."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count

import pytest

from corebank import accounts, iso20022
from corebank.bootstrap import Bank
from corebank.iso20022 import CreditTransfer, Pacs002, Pacs008, Party, TxStatus
from corebank.payments import clearing_link, inbound, interbank
from corebank.security import SYSTEM
from tests.factories import Staff, funded_account, new_account
from tests.integration.payments.interbank_support import OTHER_BANK, balance, central_bank, suspense

_n = count(1)


def credit_message(bank: Bank, *txs: tuple[str, str, str]) -> bytes:
    """A pacs.008 from clearing to this bank: (payee account, payee name, amount) per transaction."""
    ours = bank.settings.bank_code
    msg_id = f"CLRTEST{next(_n):06d}"
    return iso20022.build_pacs008(
        Pacs008(
            msg_id=msg_id,
            created_at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
            settlement_date=date(2026, 3, 2),
            system="BEPS",
            instructing_agent=iso20022.CLEARING_BANK_CODE,
            instructed_agent=ours,
            transactions=tuple(
                CreditTransfer(
                    tx_id=f"{OTHER_BANK}20260302T{next(_n):010d}",
                    end_to_end_id=f"E2E{next(_n)}",
                    amount=Decimal(amount),
                    currency="CNY",
                    debtor=Party("Zhao Lei", "6217000099998888", OTHER_BANK),
                    creditor=Party(name, account, ours),
                    remittance="rent",
                )
                for account, name, amount in txs
            ),
        )
    )


def receive(bank: Bank, xml: bytes) -> dict:  # type: ignore[type-arg]
    return bank.run(inbound.receive, clearing_link.CLEARING_ACTOR, xml)  # type: ignore[no-any-return]


def inbound_rows(bank: Bank, xml: bytes) -> list:  # type: ignore[type-arg]
    msg = iso20022.parse_pacs008(xml)

    def read(uow):  # type: ignore[no-untyped-def]
        from sqlalchemy import select

        ib = interbank.ib
        ids = [t.tx_id for t in msg.transactions]
        return uow.conn.execute(
            select(ib).where(ib.c.direction == "in", ib.c.tx_id.in_(ids)).order_by(ib.c.id)
        ).all()

    return bank.run(read, readonly=True)  # type: ignore[no-any-return]


def test_credit_to_an_open_account_posts_at_once_and_a_redelivery_changes_nothing(
    bank: Bank, staff: Staff
) -> None:
    payee = new_account(bank, staff["teller"].actor)
    cb0, s0 = central_bank(bank), suspense(bank)
    xml = credit_message(bank, (payee.number, payee.name, "1234.56"))
    ack = receive(bank, xml)
    assert (ack["credited"], ack["held_for_return"]) == (1, 0)
    assert balance(bank, payee.number) == "1234.56"
    assert central_bank(bank) - cb0 == 123456
    assert suspense(bank) == s0
    again = receive(bank, xml)
    assert (again["applied"], again["repeated"]) == (0, 1)
    assert balance(bank, payee.number) == "1234.56"
    (r,) = inbound_rows(bank, xml)
    assert (r.status, r.direction, r.amount, r.debtor_bank_code) == ("credited", "in", 123456, OTHER_BANK)


def test_credits_that_cannot_be_posted_are_held_then_returned_with_their_reasons(
    bank: Bank, staff: Staff
) -> None:
    teller, supervisor = staff["teller"].actor, staff["supervisor"].actor
    closed = new_account(bank, teller)
    bank.run(accounts.close_account, teller, closed.number, accounts.CloseRequest(), "ib-close-1")
    frozen = funded_account(bank, teller, "10.00")
    bank.run(accounts.freeze, supervisor, frozen.number, accounts.FreezeRequest(kind="full", reason="court"))
    named = new_account(bank, teller)
    cb0, s0 = central_bank(bank), suspense(bank)
    xml = credit_message(
        bank,
        ("6200000000000000000", "Nobody", "100.00"),
        (closed.number, closed.name, "200.00"),
        (frozen.number, frozen.name, "300.00"),
        (named.number, "Someone Else", "400.00"),
        (named.number, f"  {named.name.upper()} ", "5.00"),  # case and spaces do not matter
    )
    ack = receive(bank, xml)
    assert ack["held_for_return"] == 4 and ack["credited"] == 1
    assert ack["reasons"] == {"AC01": 1, "AC04": 1, "AC06": 1, "BE01": 1}
    assert balance(bank, named.number) == "5.00"
    assert balance(bank, frozen.number) == "10.00"
    assert central_bank(bank) - cb0 == 100500
    assert suspense(bank) - s0 == -100000  # held in suspense: 1011 credited
    rows = inbound_rows(bank, xml)
    assert [(r.status, r.reason_code) for r in rows] == [
        ("return_pending", "AC01"),
        ("return_pending", "AC04"),
        ("return_pending", "AC06"),
        ("return_pending", "BE01"),
        ("credited", None),
    ]

    # The sender builds one pacs.004 with the four returns; clearing settles it.
    outgoing = bank.run(clearing_link.claim_returns)
    (msg,) = [o for o in outgoing if o.kind == "pacs.004" and o.count == 4]
    returned = iso20022.parse_pacs004(msg.xml)
    assert [r.reason for r in returned.returns] == ["AC01", "AC04", "AC06", "BE01"]
    assert {r.original_tx_id for r in returned.returns} == {r.tx_id for r in rows[:4]}
    assert returned.instructed_agent == iso20022.CLEARING_BANK_CODE
    again = bank.run(clearing_link.claim_returns)  # unanswered: the same message goes again
    assert msg.msg_id in {o.msg_id for o in again}
    report = Pacs002(
        msg_id="CLRANSWER1",
        created_at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
        original_msg_id=msg.msg_id,
        original_msg_type="pacs.004.001.10",
        statuses=tuple(TxStatus(r.return_id, r.original_end_to_end_id, "ACSC") for r in returned.returns),
    )
    applied = bank.run(inbound.apply_status_report, SYSTEM, report)
    assert applied.applied == 4
    assert suspense(bank) == s0
    assert central_bank(bank) - cb0 == 500
    assert [r.status for r in inbound_rows(bank, xml)] == ["returned"] * 4 + ["credited"]
    assert bank.run(inbound.apply_status_report, SYSTEM, report).repeated == 4


def test_name_check_off_credits_a_mismatched_name(bank: Bank, staff: Staff) -> None:
    payee = new_account(bank, staff["teller"].actor)
    old = bank.settings.inbound_name_check
    bank.settings.inbound_name_check = "off"
    try:
        ack = receive(bank, credit_message(bank, (payee.number, "Not The Holder", "9.99")))
    finally:
        bank.settings.inbound_name_check = old
    assert ack["credited"] == 1
    assert balance(bank, payee.number) == "9.99"


def test_a_schema_invalid_delivery_is_refused_and_changes_nothing(bank: Bank) -> None:
    from tests.factories import ledger_state

    before = ledger_state(bank)
    with pytest.raises(iso20022.Iso20022Error) as bad:
        receive(bank, b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09'><x/></Document>")
    assert bad.value.code == "XML_SCHEMA_INVALID"
    with pytest.raises(iso20022.Iso20022Error) as broken:
        receive(bank, b"<not xml")
    assert broken.value.code == "XML_MALFORMED"
    assert ledger_state(bank) == before
