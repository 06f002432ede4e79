"""Financial requests committed together (group commit) and the switch's short-lived copy of a terminal: each
request still gets its own answer, a refusal undoes only its own writes, a wrong PIN stays counted, and a
disabled terminal is refused once the copy has expired."""

from __future__ import annotations

import asyncio
import struct
import time

import iso8583
import pytest
from sqlalchemy import select

from corebank.bootstrap import Bank
from corebank.channels import terminals
from corebank.channels.atm import server, switch
from corebank.channels.card_models import Card as CardRow
from corebank.security import SYSTEM
from tests.e2e.iso8583.conftest import (
    SPEC,
    Conn,
    Terminal,
    add_terminal,
    balances,
    frame,
    issue_card,
    withdrawal,
)
from tests.factories import Staff


def _ask_all(port: int, requests: list[dict[str, str]]) -> list[dict[str, str]]:
    async def one(fields: dict[str, str]) -> dict[str, str]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(frame(fields))
        await writer.drain()
        (length,) = struct.unpack(">H", await reader.readexactly(2))
        decoded, _ = iso8583.decode(bytearray(await reader.readexactly(length)), SPEC)
        writer.close()
        return decoded

    async def all_of_them() -> list[dict[str, str]]:
        return await asyncio.wait_for(asyncio.gather(*(one(r) for r in requests)), 60)

    return asyncio.run(all_of_them())


def test_concurrent_requests_each_get_their_own_answer(
    switch: server.SwitchServer, atm: Terminal, bank: Bank, staff: Staff
) -> None:
    good = [issue_card(bank, staff, "1000.00") for _ in range(6)]
    poor = issue_card(bank, staff, "50.00")
    forgetful = issue_card(bank, staff, "1000.00")
    requests = [withdrawal(atm, c, "100.00") for c in good for _ in range(3)]
    requests += [withdrawal(atm, poor, "100.00")]
    requests += [withdrawal(atm, forgetful, "100.00", pin_text="111357") for _ in range(2)]
    answers = _ask_all(switch.port, requests)
    codes = [a["39"] for a in answers]
    assert codes == ["00"] * 18 + ["51"] + ["55", "55"]
    assert len({a["38"] for a in answers[:18]}) == 18  # one posting each
    ids = [c.account_id for c in good] + [poor.account_id, forgetful.account_id]
    assert balances(bank, ids) == {**{c.account_id: 70000 for c in good}, poor.account_id: 5000,
                                   forgetful.account_id: 100000}  # fmt: skip
    # The wrong PINs were answered in transactions that committed: both are counted.
    tries = bank.run(
        lambda uow: uow.conn.execute(
            select(CardRow.pin_tries).where(CardRow.id == forgetful.card_id)
        ).scalar_one(),
        readonly=True,
    )
    assert tries == 2


def test_a_disabled_terminal_is_refused_once_the_switch_copy_expires(
    conn: Conn, bank: Bank, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(switch, "TERMINAL_TTL", 0.3)
    atm = add_terminal(bank, "atm")
    card = issue_card(bank, staff, "1000.00")
    assert conn.ask(withdrawal(atm, card, "100.00"))["39"] == "00"
    bank.run(terminals.set_status, SYSTEM, atm.terminal_id, "disabled")
    time.sleep(0.4)
    assert conn.ask(withdrawal(atm, card, "100.00"))["39"] == "57"
    assert balances(bank, [card.account_id])[card.account_id] == 90000
