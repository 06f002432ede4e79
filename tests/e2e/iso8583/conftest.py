"""ISO 8583 fixtures: the real switch serving the session bank on a free port (in a thread), an ATM and a POS
terminal with cash, cards issued through the real services, and a client that speaks pyiso8583 itself."""

from __future__ import annotations

import itertools
import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import iso8583
import iso8583.specs
import pytest

from corebank.bootstrap import Bank
from corebank.channels import cards, pin, terminals
from corebank.channels.atm import server
from corebank.channels.card_schemas import CardIssue
from corebank.channels.terminal_schemas import TerminalCreate
from corebank.security import SYSTEM
from tests.factories import Staff, deposit, new_account

SPEC = iso8583.specs.default_ascii
PIN = "482916"
PIN_KEY_HEX = "0123456789ABCDEFFEDCBA98765432100123456789ABCDEF"
PIN_KEY = bytes.fromhex(PIN_KEY_HEX)
_stan = itertools.count(100001)
_terminal_no = itertools.count(1)


def next_stan() -> str:
    return f"{next(_stan) % 1_000_000:06d}"


def now_field7() -> str:
    return datetime.now(UTC).strftime("%m%d%H%M%S")


def frame(fields: dict[str, str]) -> bytes:
    raw, _ = iso8583.encode(dict(fields), SPEC)
    return struct.pack(">H", len(raw)) + bytes(raw)


class Conn:
    """One terminal connection to the switch, speaking pyiso8583."""

    def __init__(self, port: int, timeout: float = 15.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read(self) -> dict[str, str] | None:
        """The next answer, or None when the switch closed the connection."""
        head = self._exactly(2)
        if head is None:
            return None
        body = self._exactly(struct.unpack(">H", head)[0])
        assert body is not None
        decoded, _ = iso8583.decode(bytearray(body), SPEC)
        return decoded

    def _exactly(self, n: int) -> bytes | None:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf

    def ask(self, fields: dict[str, str]) -> dict[str, str]:
        self.send_raw(frame(fields))
        answer = self.read()
        assert answer is not None, "the switch closed the connection"
        return answer

    def closed_by_switch(self) -> bool:
        try:
            return self.sock.recv(1) == b""
        except (ConnectionResetError, TimeoutError):
            return True

    def close(self) -> None:
        self.sock.close()


@dataclass(frozen=True)
class Card:
    pan: str
    card_id: int
    account_number: str
    account_id: int
    customer_number: str


@dataclass(frozen=True)
class Terminal:
    terminal_id: str
    kind: str
    cash_account_id: int | None


@pytest.fixture(scope="module")
def switch(bank: Bank) -> Iterator[server.SwitchServer]:
    with server.running(bank.uow, credit_every=0, frame_seconds=1.0) as s:
        yield s


@pytest.fixture
def conn(switch: server.SwitchServer) -> Iterator[Conn]:
    c = Conn(switch.port)
    yield c
    c.close()


def add_terminal(bank: Bank, kind: str = "atm", cash: str = "200000.00") -> Terminal:
    tid = f"{'ATM' if kind == 'atm' else 'POS'}T{next(_terminal_no):04d}"
    bank.run(
        terminals.add_terminal,
        SYSTEM,
        TerminalCreate(
            terminal_id=tid, kind=kind, branch_code="0001", pin_key=PIN_KEY_HEX, merchant_name="Tea House"
        ),
    )
    if kind == "atm" and cash:
        bank.run(terminals.load_cash, SYSTEM, tid, cash, f"load-{tid}")
    info = bank.run(terminals.get_terminal, tid, readonly=True)
    assert info is not None
    return Terminal(tid, kind, info.cash_account_id)


@pytest.fixture(scope="module")
def atm(bank: Bank, staff: Staff) -> Terminal:
    return add_terminal(bank, "atm")


@pytest.fixture(scope="module")
def pos(bank: Bank, staff: Staff) -> Terminal:
    return add_terminal(bank, "pos")


def issue_card(
    bank: Bank, staff: Staff, balance: str = "10000.00", customer_number: str | None = None
) -> Card:
    """A funded Type I account (of a new customer unless named) with an active debit card, PIN 482916."""
    teller = staff["teller"].actor
    acc = new_account(bank, teller, customer_number)
    if balance != "0":
        deposit(bank, teller, acc.number, balance)
    issued = bank.run(cards.issue_card, teller, CardIssue(account_number=acc.number, pin=PIN))
    bank.run(cards.activate_card, teller, issued.card_id)
    return Card(issued.pan, issued.card_id, acc.number, account_id(bank, acc.number), acc.customer_number)


def account_id(bank: Bank, number: str) -> int:
    from corebank import accounts

    return bank.run(lambda uow: accounts.load_for_posting(uow, [number])[number].id, readonly=True)


def card_request(
    terminal: Terminal,
    card: Card,
    processing: str,
    amount: str | None = None,
    pin_text: str = PIN,
    **extra: str,
) -> dict[str, str]:
    """A 0200 from `terminal` for `card`; `amount` in yuan ("100.00")."""
    fields = {
        "t": "0200",
        "2": card.pan,
        "3": processing,
        "7": now_field7(),
        "11": next_stan(),
        "41": terminal.terminal_id,
        "49": "156",
        "52": pin.encrypt_pin_block(pin_text, card.pan, PIN_KEY),
        **extra,
    }
    if amount is not None:
        fields["4"] = f"{int(Decimal(amount) * 100):012d}"
    return fields


def withdrawal(terminal: Terminal, card: Card, amount: str, **kw: Any) -> dict[str, str]:
    return card_request(terminal, card, "011000", amount, **kw)


def balances(bank: Bank, account_ids: list[int]) -> dict[int, int]:
    from corebank import ledger

    return {k: v.balance for k, v in bank.run(ledger.balances, account_ids, readonly=True).items()}
