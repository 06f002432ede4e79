"""What the clearing house does with messages it has seen, cannot read, or may not take."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from corebank import iso20022 as iso
from tests.integration.clearing.conftest import (
    BANK_A,
    BANK_B,
    SETTLEMENT_DAY,
    TOKENS,
    Clearing,
    build_clearing,
    pacs008,
    table_counts,
    transfer,
)


def test_a_repeated_message_gets_the_first_answer_and_settles_once(clearing: Clearing) -> None:
    before = clearing.balances()
    xml = pacs008(transfer("800.00"), msg_id="MSG-REPEATED-1")

    first = clearing.post(xml)
    counts = table_counts(clearing.house)
    again = clearing.post(xml)

    assert again.status_code == 200
    assert again.content == first.content
    assert table_counts(clearing.house) == counts
    assert clearing.balances()[BANK_A] == before[BANK_A] - Decimal("800.00")


def test_a_repeated_transaction_id_in_a_new_message_is_refused_am05(clearing: Clearing) -> None:
    tx = transfer("800.00")
    assert clearing.send(pacs008(tx)).statuses[0].status == "ACSC"
    balances = clearing.balances()

    report = clearing.send(pacs008(tx, transfer("1.00", tx_id=tx.tx_id)))

    assert [(s.status, s.reason) for s in report.statuses] == [("RJCT", "AM05")] * 2
    assert clearing.balances() == balances
    file_rows = [line for line in clearing.settlement_file(BANK_A).splitlines()[1:] if tx.tx_id in line]
    assert len(file_rows) == 1  # the first one stands alone in the file


def test_a_bad_or_missing_token_is_refused_401(clearing: Clearing) -> None:
    counts = table_counts(clearing.house)
    xml = pacs008(transfer("10.00"))

    wrong = clearing.post(xml, token="not-a-participant-token")
    missing = clearing.client.post("/messages", content=xml)
    file = clearing.client.get("/settlement/2026-03-02", headers={"X-Clearing-Token": "nope-nope"})

    assert [r.status_code for r in (wrong, missing, file)] == [401, 401, 401]
    assert wrong.headers["content-type"].startswith("application/problem+json")
    assert wrong.json()["code"] == "CLEARING_TOKEN_INVALID"
    assert table_counts(clearing.house) == counts


def test_malformed_and_schema_invalid_documents_are_refused_400(clearing: Clearing) -> None:
    counts = table_counts(clearing.house)
    before = clearing.balances()
    valid = pacs008(transfer("10.00"))
    malformed = valid[: len(valid) // 2]
    schema_invalid = valid.replace(b"<ChrgBr>SLEV</ChrgBr>", b"<ChrgBr>WHO-PAYS</ChrgBr>")
    assert schema_invalid != valid

    answers = [clearing.post(malformed), clearing.post(schema_invalid), clearing.post(b"<Document/>")]

    assert [(r.status_code, r.json()["code"]) for r in answers] == [
        (400, "XML_MALFORMED"),
        (400, "XML_SCHEMA_INVALID"),
        (400, "XML_UNKNOWN_MESSAGE"),
    ]
    assert answers[1].json()["errors"]  # the schema errors, line by line
    assert table_counts(clearing.house) == counts
    assert clearing.balances() == before


def test_only_credit_transfers_and_returns_are_taken(clearing: Clearing) -> None:
    status_report = iso.build_pacs002(
        iso.Pacs002(
            "M-STATUS-1", datetime.now(UTC), "X", "pacs.008.001.09", (iso.TxStatus("T", "E", "ACSC"),)
        )
    )
    response = clearing.post(status_report)
    assert (response.status_code, response.json()["code"]) == (400, "MESSAGE_TYPE_NOT_ACCEPTED")


def test_a_message_not_addressed_to_the_clearing_house_is_refused(clearing: Clearing) -> None:
    tx = transfer("1.00")
    xml = iso.build_pacs008(
        iso.Pacs008("M-MISADDRESSED", datetime.now(UTC), SETTLEMENT_DAY, iso.HVPS, BANK_A, BANK_B, (tx,))
    )
    response = clearing.post(xml)
    assert (response.status_code, response.json()["code"]) == (400, "NOT_ADDRESSED_TO_CLEARING")


def test_admin_calls_need_the_admin_token_when_one_is_set(tmp_path: Path) -> None:
    c = build_clearing(tmp_path, admin_token="clearing-admin-secret")
    admin = {"X-Clearing-Admin-Token": "clearing-admin-secret"}
    new_bank = {"code": "104100000004", "name": "D", "url": "http://d.test", "token": "token-bank-d-0004"}

    refused = [
        c.client.post("/admin/beps/settle"),
        c.client.post("/admin/deliver", headers={"X-Clearing-Admin-Token": "guess"}),
        c.client.post("/participants", json=new_bank),
        c.client.get("/participants"),
    ]
    assert [(r.status_code, r.json()["code"]) for r in refused] == [(401, "CLEARING_ADMIN_TOKEN_INVALID")] * 4
    assert c.client.post("/admin/beps/settle", headers=admin).status_code == 200
    assert c.client.post("/participants", json=new_bank, headers=admin).status_code == 201
    as_bank = c.client.get("/participants", headers={"X-Clearing-Token": TOKENS[BANK_A]})
    assert as_bank.status_code == 200 and len(as_bank.json()) == 4
    c.house.close()


def test_participants_are_validated(clearing: Clearing) -> None:
    bad = clearing.client.post(
        "/participants",
        json={"code": "000000000000", "name": "Me", "url": "http://x.test", "token": "tok-12345678"},
    )
    dup = clearing.client.post(
        "/participants",
        json={"code": BANK_A, "name": "Again", "url": "http://x.test", "token": "tok-another-1"},
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "INVALID_PARTICIPANT")
    assert (dup.status_code, dup.json()["code"]) == (409, "PARTICIPANT_EXISTS")
