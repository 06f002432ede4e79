"""The demo's channels, made through the real use cases on its last day: three head-office customers enrolled in
e-banking with known login names, a debit card for each with a known PIN, an ATM and a POS terminal with a known
PIN key, and cash in the ATM. Development only: the names, PINs and key are printed and written to
`var/demo-channels.json` so that a visitor can log in and use the ATM simulator at once."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from corebank import customers
from corebank.channels import cards, identity, terminals
from corebank.channels.card_schemas import CardIssue
from corebank.channels.identity_schemas import CounterEnrollment
from corebank.channels.terminal_schemas import TerminalCreate
from corebank.demo.common import DEMO_PASSWORD, HEAD
from corebank.demo.common import DemoBank as Bank
from corebank.demo.payments import _payers
from corebank.security import Actor

DEMO_PIN = "135790"  # development demo only
DEMO_PIN_KEY = "0123456789ABCDEFFEDCBA9876543210"  # development demo only: the ATM's TDES PIN key
DEMO_ATM = "ATM00001"
DEMO_POS = "POS00001"
ATM_CASH = "200000.00"


@dataclass(frozen=True)
class DemoLogin:
    login_name: str
    customer: str
    account: str
    phone: str
    card_id: int
    pan: str


def add_channels(bank: Bank, staff: dict[str, Actor], var_dir: Path) -> list[DemoLogin]:
    """Enroll three customers, issue and activate their cards, register the terminals and fill the ATM."""
    teller, admin = staff["teller01"], staff["admin01"]
    found: list[tuple[str, str]] = bank.run(_payers, 3, readonly=True)
    made: list[DemoLogin] = []
    for i, (customer, account) in enumerate(found, start=1):
        id_number = bank.run(customers.reveal_id_number, teller, customer)
        phone = f"1380013800{i}"
        name = f"demo{i:02d}"
        _login, refused = bank.run(
            identity.enroll_at_counter,
            teller,
            customer,
            CounterEnrollment(login_name=name, password=DEMO_PASSWORD, phone=phone, id_number=id_number),
        )
        if refused is not None:
            raise refused
        card = bank.run(cards.issue_card, teller, CardIssue(account_number=account, pin=DEMO_PIN))
        bank.run(cards.activate_card, teller, card.card_id)
        made.append(DemoLogin(name, customer, account, phone, card.card_id, card.pan))
    bank.run(
        terminals.add_terminal,
        admin,
        TerminalCreate(
            terminal_id=DEMO_ATM, kind="atm", branch_code=HEAD, pin_key=DEMO_PIN_KEY, location="Lobby"
        ),
    )
    bank.run(
        terminals.add_terminal,
        admin,
        TerminalCreate(
            terminal_id=DEMO_POS, kind="pos", branch_code=HEAD, pin_key=DEMO_PIN_KEY, location="Demo grocer"
        ),
    )
    bank.run(terminals.load_cash, teller, DEMO_ATM, ATM_CASH, "demo-atm-cash")
    var_dir.mkdir(parents=True, exist_ok=True)
    (var_dir / "demo-channels.json").write_text(
        json.dumps(
            {
                "password": DEMO_PASSWORD,
                "pin": DEMO_PIN,
                "atm": DEMO_ATM,
                "pos": DEMO_POS,
                "pin_key": DEMO_PIN_KEY,
                "logins": [asdict(m) for m in made],
            },
            indent=2,
        )
    )
    return made
