"""The ATM/POS switch over real TCP, pyiso8583 as the client: network messages, withdrawals, balance inquiry,
refusals, reversals, duplicates, broken frames, a closed channel, many connections, and the books balanced."""

from __future__ import annotations

import asyncio
import struct
from datetime import date

import iso8583
import pytest
from sqlalchemy import update

from corebank import ledger
from corebank.bootstrap import Bank
from corebank.channels import cards, registry, terminals
from corebank.channels.atm import server
from corebank.channels.card_models import Card as CardRow
from corebank.security import SYSTEM
from tests.e2e.iso8583.conftest import (
    PIN,
    SPEC,
    Card,
    Conn,
    Terminal,
    add_terminal,
    balances,
    card_request,
    frame,
    issue_card,
    next_stan,
    now_field7,
    withdrawal,
)
from tests.factories import Staff, ledger_state


def last_entry_kind(bank: Bank, account_id: int) -> str:
    return bank.run(lambda uow: ledger.account_lines(uow, account_id, limit=1)[0]["kind"], readonly=True)


def test_echo_sign_on_and_sign_off_are_answered(conn: Conn, atm: Terminal, bank: Bank) -> None:
    def signed_on() -> bool:
        info = bank.run(terminals.get_terminal, atm.terminal_id, readonly=True)
        return info is not None and info.signed_on

    for code, after in (("001", True), ("301", True), ("002", False)):
        answer = conn.ask(
            {"t": "0800", "7": now_field7(), "11": next_stan(), "41": atm.terminal_id, "70": code}
        )
        assert (answer["t"], answer["39"], answer["70"]) == ("0810", "00", code)
        assert signed_on() is after
    unknown = conn.ask({"t": "0800", "7": now_field7(), "11": next_stan(), "41": "NOSUCH01", "70": "001"})
    assert unknown["39"] == "12"
    bad_code = conn.ask(
        {"t": "0800", "7": now_field7(), "11": next_stan(), "41": atm.terminal_id, "70": "999"}
    )
    assert bad_code["39"] == "12"


def test_withdrawal_debits_the_card_account_and_the_atm_cash(
    conn: Conn, atm: Terminal, bank: Bank, staff: Staff
) -> None:
    card = issue_card(bank, staff, "3000.00")
    assert atm.cash_account_id is not None
    before = balances(bank, [card.account_id, atm.cash_account_id])
    req = withdrawal(atm, card, "500.00")
    answer = conn.ask(req)
    assert answer["t"] == "0210" and answer["39"] == "00"
    assert answer["11"] == req["11"] and answer["41"] == atm.terminal_id
    assert len(answer["37"]) == 12 and len(answer["38"]) == 6
    after = balances(bank, [card.account_id, atm.cash_account_id])
    assert after[card.account_id] == before[card.account_id] - 50000
    assert after[atm.cash_account_id] == before[atm.cash_account_id] - 50000
    assert last_entry_kind(bank, card.account_id) == "atm.withdrawal"


def test_balance_inquiry_gives_ledger_and_available_in_field_54(
    conn: Conn, atm: Terminal, bank: Bank, staff: Staff
) -> None:
    card = issue_card(bank, staff, "1234.56")
    answer = conn.ask(card_request(atm, card, "311000"))
    assert answer["39"] == "00"
    assert answer["54"] == "1001156C000000123456" + "1002156C000000123456"


def test_insufficient_funds_is_51_and_changes_nothing(
    conn: Conn, atm: Terminal, bank: Bank, staff: Staff
) -> None:
    card = issue_card(bank, staff, "100.00")
    before = ledger_state(bank)
    answer = conn.ask(withdrawal(atm, card, "200.00"))
    assert answer["39"] == "51"
    assert "38" not in answer
    assert ledger_state(bank) == before


def test_wrong_pin_is_55_and_the_third_locks_the_card_75(
    conn: Conn, atm: Terminal, bank: Bank, staff: Staff
) -> None:
    card = issue_card(bank, staff, "1000.00")
    assert conn.ask(withdrawal(atm, card, "100.00", pin_text="111357"))["39"] == "55"
    assert conn.ask(withdrawal(atm, card, "100.00", pin_text="111357"))["39"] == "55"
    assert conn.ask(withdrawal(atm, card, "100.00", pin_text="111357"))["39"] == "75"
    # Locked for the day: the right PIN no longer helps, and nothing was paid out.
    assert conn.ask(withdrawal(atm, card, "100.00", pin_text=PIN))["39"] == "75"
    assert balances(bank, [card.account_id])[card.account_id] == 100000


def test_over_the_atm_single_limit_is_61(conn: Conn, atm: Terminal, bank: Bank, staff: Staff) -> None:
    card = issue_card(bank, staff, "10000.00")
    before = ledger_state(bank)
    assert conn.ask(withdrawal(atm, card, "2500.01"))["39"] == "61"
    assert ledger_state(bank) == before
    assert conn.ask(withdrawal(atm, card, "2500.00"))["39"] == "00"


def test_reversal_restores_the_balance_and_the_daily_limit(
    conn: Conn, atm: Terminal, bank: Bank, staff: Staff
) -> None:
    card = issue_card(bank, staff, "30000.00")
    start = balances(bank, [card.account_id])[card.account_id]
    sent = [withdrawal(atm, card, "2500.00") for _ in range(8)]
    assert [conn.ask(r)["39"] for r in sent] == ["00"] * 8  # 20,000: the ATM daily limit
    assert conn.ask(withdrawal(atm, card, "100.00"))["39"] == "61"
    original = sent[-1]
    reversal = {
        "t": "0420",
        "2": card.pan,
        "3": original["3"],
        "4": original["4"],
        "7": now_field7(),
        "11": next_stan(),
        "41": atm.terminal_id,
        "49": "156",
        "90": f"0200{original['11']}{original['7']}" + "0" * 22,
    }
    answer = conn.ask(reversal)
    assert (answer["t"], answer["39"]) == ("0430", "00")
    assert balances(bank, [card.account_id])[card.account_id] == start - 7 * 250000
    assert last_entry_kind(bank, card.account_id) == "atm.reversal"
    # The same reversal again, and another one for the same original: 00, nothing posted twice.
    before = ledger_state(bank)
    assert conn.ask(reversal)["39"] == "00"
    assert conn.ask({**reversal, "11": next_stan()})["39"] == "00"
    assert ledger_state(bank)["entries"] == before["entries"]
    # The day's limit has room again for what was reversed.
    assert conn.ask(withdrawal(atm, card, "2500.00"))["39"] == "00"


def test_reversal_of_a_transaction_that_never_happened_is_25(conn: Conn, atm: Terminal, bank: Bank) -> None:
    before = ledger_state(bank)
    answer = conn.ask(
        {
            "t": "0420",
            "3": "011000",
            "7": now_field7(),
            "11": next_stan(),
            "41": atm.terminal_id,
            "90": "0200" + "999999" + now_field7() + "0" * 22,
        }
    )
    assert (answer["t"], answer["39"]) == ("0430", "25")
    assert ledger_state(bank)["entries"] == before["entries"]


def test_a_repeated_request_gets_the_first_answer_and_posts_once(
    conn: Conn, atm: Terminal, bank: Bank, staff: Staff
) -> None:
    card = issue_card(bank, staff, "1000.00")
    req = withdrawal(atm, card, "300.00")
    first = conn.ask(req)
    again = conn.ask(req)
    repeat = conn.ask({**req, "t": "0201"})  # the ATM's "repeat" MTI
    assert first["39"] == again["39"] == repeat["39"] == "00"
    assert first["37"] == again["37"] == repeat["37"] and first["38"] == again["38"]
    assert balances(bank, [card.account_id])[card.account_id] == 70000


def test_the_same_stan_with_another_amount_is_a_duplicate_94(
    conn: Conn, atm: Terminal, bank: Bank, staff: Staff
) -> None:
    card = issue_card(bank, staff, "1000.00")
    req = withdrawal(atm, card, "100.00")
    assert conn.ask(req)["39"] == "00"
    before = ledger_state(bank)
    assert conn.ask({**req, "4": "000000020000"})["39"] == "94"
    assert ledger_state(bank) == before


def test_expired_card_is_54_and_lost_card_41(conn: Conn, atm: Terminal, bank: Bank, staff: Staff) -> None:
    expired = issue_card(bank, staff, "500.00")

    def expire(uow) -> None:  # type: ignore[no-untyped-def]
        # Arranged in the table: the session bank cannot move its business date five years on.
        uow.session.execute(
            update(CardRow).where(CardRow.id == expired.card_id).values(expiry=date(2026, 1, 31))
        )

    bank.run(expire)
    assert conn.ask(withdrawal(atm, expired, "100.00"))["39"] == "54"
    lost = issue_card(bank, staff, "500.00")
    bank.run(cards.report_lost, staff["teller"].actor, lost.card_id)
    assert conn.ask(withdrawal(atm, lost, "100.00"))["39"] == "41"
    assert balances(bank, [expired.account_id, lost.account_id]) == {
        expired.account_id: 50000,
        lost.account_id: 50000,
    }


def test_unknown_card_is_14(conn: Conn, atm: Terminal, bank: Bank, staff: Staff) -> None:
    card = issue_card(bank, staff, "500.00")
    other = Card("6217880000000000008", 0, card.account_number, card.account_id, card.customer_number)
    assert conn.ask(withdrawal(atm, other, "100.00"))["39"] == "14"


def test_purchase_at_a_pos_pays_the_merchant_payable(
    conn: Conn, atm: Terminal, pos: Terminal, bank: Bank, staff: Staff
) -> None:
    card = issue_card(bank, staff, "800.00")
    answer = conn.ask(card_request(pos, card, "000000", "88.80"))
    assert answer["39"] == "00"
    assert balances(bank, [card.account_id])[card.account_id] == 80000 - 8880
    assert last_entry_kind(bank, card.account_id) == "pos.purchase"
    # Cash is not paid out at a POS, nor a purchase taken at an ATM.
    assert conn.ask(withdrawal(pos, card, "10.00"))["39"] == "57"
    assert conn.ask(card_request(atm, card, "000000", "10.00"))["39"] == "57"


def test_an_atm_without_cash_is_91(conn: Conn, bank: Bank, staff: Staff) -> None:
    empty = add_terminal(bank, "atm", cash="")
    card = issue_card(bank, staff, "500.00")
    before = ledger_state(bank)
    assert conn.ask(withdrawal(empty, card, "100.00"))["39"] == "91"
    assert ledger_state(bank) == before


@pytest.mark.parametrize(
    "change, code",
    [
        ({"3": "991000"}, "12"),  # unknown processing code
        ({"4": "000000000000"}, "13"),  # a zero amount
        ({"41": "NOSUCH01"}, "12"),  # an unknown terminal
        ({"49": "840"}, "12"),  # a currency the switch does not take
    ],
)
def test_invalid_requests_get_their_code_and_change_nothing(
    conn: Conn, atm: Terminal, bank: Bank, staff: Staff, change: dict[str, str], code: str
) -> None:
    card = issue_card(bank, staff, "500.00")
    before = ledger_state(bank)
    answer = conn.ask({**withdrawal(atm, card, "100.00"), **change})
    assert (answer["t"], answer["39"]) == ("0210", code)
    assert ledger_state(bank) == before


def test_unknown_mti_is_12_and_the_connection_stays(conn: Conn, atm: Terminal) -> None:
    answer = conn.ask({"t": "0300", "7": now_field7(), "11": next_stan(), "41": atm.terminal_id})
    assert (answer["t"], answer["39"]) == ("0310", "12")
    echo = conn.ask({"t": "0800", "7": now_field7(), "11": next_stan(), "41": atm.terminal_id, "70": "301"})
    assert echo["39"] == "00"


def test_a_malformed_frame_with_a_readable_mti_is_12_and_the_connection_stays(
    conn: Conn, atm: Terminal, switch: server.SwitchServer
) -> None:
    raw, _ = iso8583.encode({"t": "0200", "11": "123456", "41": atm.terminal_id, "3": "011000"}, SPEC)
    broken = bytes(raw)[:-4]  # field 3 cut: the bitmap promises more than the message holds
    conn.send_raw(struct.pack(">H", len(broken)) + broken)
    answer = conn.read()
    assert answer is not None and (answer["t"], answer["39"], answer["11"]) == ("0210", "12", "123456")
    echo = conn.ask({"t": "0800", "7": now_field7(), "11": next_stan(), "41": atm.terminal_id, "70": "301"})
    assert echo["39"] == "00"


@pytest.mark.parametrize(
    "data",
    [
        struct.pack(">H", 200) + b"0200" + b"7" * 20,  # a frame cut short: the length says 200
        struct.pack(">H", 12) + b"\xff\xfe garbage!",  # bytes that are no MTI
        struct.pack(">H", 0),  # an empty frame
        b"\x07",  # half a length prefix, then the end
    ],
)
def test_an_unreadable_frame_is_96_and_closes_only_that_connection(
    switch: server.SwitchServer, atm: Terminal, data: bytes
) -> None:
    other = Conn(switch.port)
    broken = Conn(switch.port)
    try:
        broken.send_raw(data)
        if data == b"\x07":
            broken.sock.shutdown(1)
        answer = broken.read()
        if answer is not None:
            assert answer["39"] == "96"
            assert broken.closed_by_switch()
        echo = other.ask(
            {"t": "0800", "7": now_field7(), "11": next_stan(), "41": atm.terminal_id, "70": "301"}
        )
        assert echo["39"] == "00"
    finally:
        broken.close()
        other.close()


def test_a_closed_channel_is_91_and_a_closed_type_57(
    conn: Conn, atm: Terminal, bank: Bank, staff: Staff
) -> None:
    card = issue_card(bank, staff, "1000.00")
    before = ledger_state(bank)
    bank.run(registry.close_channel, SYSTEM, "atm", None, "test: ATM network down")
    try:
        assert conn.ask(withdrawal(atm, card, "100.00"))["39"] == "91"
        assert conn.ask(card_request(atm, card, "311000"))["39"] == "91"
    finally:
        bank.run(registry.open_channel, SYSTEM, "atm", None, "test over")
    bank.run(registry.close_channel, SYSTEM, "atm", "withdrawal", "test: no cash today")
    try:
        assert conn.ask(withdrawal(atm, card, "100.00"))["39"] == "57"
        assert conn.ask(card_request(atm, card, "311000"))["39"] == "00"  # inquiries still work
    finally:
        bank.run(registry.open_channel, SYSTEM, "atm", "withdrawal", "test over")
    assert ledger_state(bank)["entries"] == before["entries"]
    assert conn.ask(withdrawal(atm, card, "100.00"))["39"] == "00"


def test_two_hundred_concurrent_connections_are_all_answered(
    switch: server.SwitchServer, atm: Terminal, bank: Bank, staff: Staff
) -> None:
    card = issue_card(bank, staff, "777.00")
    requests = [
        card_request(atm, card, "311000")
        if i % 2
        else {"t": "0800", "7": now_field7(), "11": next_stan(), "41": atm.terminal_id, "70": "301"}
        for i in range(200)
    ]

    async def one(fields: dict[str, str]) -> dict[str, str]:
        reader, writer = await asyncio.open_connection("127.0.0.1", switch.port)
        writer.write(frame(fields))
        await writer.drain()
        (length,) = struct.unpack(">H", await reader.readexactly(2))
        decoded, _ = iso8583.decode(bytearray(await reader.readexactly(length)), SPEC)
        writer.close()
        return decoded

    async def all_of_them() -> list[dict[str, str]]:
        return await asyncio.wait_for(asyncio.gather(*(one(r) for r in requests)), 60)

    answers = asyncio.run(all_of_them())
    assert [a["39"] for a in answers] == ["00"] * 200
    assert all(
        a["54"] == "1001156C000000077700" + "1002156C000000077700" for a in answers if a["t"] == "0210"
    )


def test_the_books_balance_after_all_of_it(bank: Bank, conn: Conn) -> None:
    tb = bank.run(ledger.trial_balance, readonly=True)
    assert tb.balanced, tb.totals()
