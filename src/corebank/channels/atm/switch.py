"""The business of each ATM/POS message: authorize a card at a terminal, then withdraw cash, transfer, pay a
merchant or read the balances; reverse (冲正) a withdrawal or purchase the terminal could not complete; sign a
terminal on and off.

A financial request is one unit of work (`process`): check the channel, the terminal and the card's PIN, then
claim the request's journal key, book it, and store the answer, all in one transaction. Every outcome is
returned, never raised, so the transaction commits whatever the answer: a wrong PIN counts and stays counted
(the house's "failure that must be remembered"). A terminal that sends the request again gets the stored
answer back and nothing is posted twice; the same key with other content is answered 94. A refusal inside the
money step (insufficient funds, over the limit) is answered and journaled too, in a savepoint that undoes
whatever it had written. Only a closed channel raises, before anything is written.

The terminal's static data and clear PIN key are kept per process for `TERMINAL_TTL` seconds (reading and
decrypting them on every request was a tenth of a withdrawal's work): a terminal disabled or re-keyed is
refused by a running switch within that time. An unknown terminal is never kept (a new one works at once), and
sign-on, sign-off and reversals read the terminal afresh."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update

from corebank import accounts, customers, ledger
from corebank.accounts import PostingAccount
from corebank.channels import cards, limits, registry, terminals
from corebank.channels.atm import iso, transfers
from corebank.channels.atm.errors import AtmCashShort, PayeeRefused
from corebank.channels.atm.models import AtmJournal
from corebank.channels.card_schemas import CardCheck
from corebank.channels.terminal_schemas import TerminalInfo
from corebank.db.base import table_of
from corebank.db.fastsql import FastSQL, to_json
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CoreBankError, CurrencyMismatch
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.security import Actor

WITHDRAWAL_KIND = "atm.withdrawal"
REVERSAL_KIND = "atm.reversal"
PURCHASE_KIND = "pos.purchase"
# The switch acts for itself in the audit trail and on the entries it posts.
SWITCH = Actor("atm-switch", None, (), "0001", "atm")
# How an ATM shows the customer's strength of authentication to the limits: card plus PIN.
STRENGTH = "pin"

# Business refusals by their stable code -> ISO 8583 response code (DOMAIN.md's list). Anything else a
# service refuses is "do not honour"; an unexpected failure is 96 (the handler's).
RESPONSE_CODES = {
    "CHANNEL_CLOSED": iso.ISSUER_INOPERATIVE,
    "CHANNEL_TX_CLOSED": iso.NOT_PERMITTED,
    "LIMIT_EXCEEDED": iso.OVER_LIMIT,
    "ACCOUNT_CLASS_LIMIT_EXCEEDED": iso.OVER_LIMIT,
    "INSUFFICIENT_FUNDS": iso.INSUFFICIENT_FUNDS,
    "ATM_CASH_SHORT": iso.ISSUER_INOPERATIVE,
    "ATM_PAYEE_REFUSED": iso.INVALID_TRANSACTION,
    "CURRENCY_MISMATCH": iso.INVALID_TRANSACTION,
    "INVALID_AMOUNT": iso.INVALID_AMOUNT,
    "BOOKINGS_CLOSED": iso.ISSUER_INOPERATIVE,
    "ACCOUNT_FROZEN": iso.DO_NOT_HONOUR,
    "ACCOUNT_CLOSED": iso.DO_NOT_HONOUR,
    "ACCOUNT_DORMANT": iso.DO_NOT_HONOUR,
    "ACCOUNT_DEBIT_BLOCKED": iso.DO_NOT_HONOUR,
}


def response_code(exc: CoreBankError) -> str:
    """The ISO 8583 response code for a refusal."""
    return RESPONSE_CODES.get(exc.code, iso.DO_NOT_HONOUR)


@dataclass(frozen=True, slots=True)
class CardRequest:
    """A financial request (0200) as the switch reads it. `amount` is in minor units (0 for an inquiry);
    `fingerprint` is a keyed hash of its fields (PIN block and transmission time left out)."""

    terminal_id: str
    stan: str
    field7: str
    tx_type: str  # withdrawal | balance_inquiry | transfer | purchase
    pan: str
    pin_block: str
    amount: int
    currency: str
    account_type: str  # field 3, digits 3-4: the "from" account type, echoed in field 54
    payee: str  # field 103, transfers only
    fingerprint: str

    @property
    def channel(self) -> str:
        """POS for a purchase, else ATM."""
        return "pos" if self.tx_type == "purchase" else "atm"

    def __repr__(self) -> str:  # never show the PAN or the PIN block
        return f"CardRequest({self.terminal_id} {self.stan} {self.tx_type} {iso.mask_pan(self.pan)})"


@dataclass(frozen=True, slots=True)
class ReversalRequest:
    """A reversal (0420): its own key (terminal, STAN, field 7) and the original's (field 90)."""

    terminal_id: str
    stan: str
    field7: str
    original_stan: str
    original_field7: str
    amount: int | None
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Authorization:
    """The outcome of `authorize`: `code` 00 means go on to the money step; otherwise it is the answer.
    `replay` holds the stored answer when the request was seen before."""

    code: str
    terminal: TerminalInfo | None = None
    card: CardCheck | None = None
    replay: dict[str, str] | None = None


def fingerprint(secret: str, fields: dict[str, str]) -> str:
    """A keyed hash (HMAC-SHA256) of a request's content: every field but the MTI (a repeat 0201 matches its
    0200), the transmission time and the PIN block (never kept, not even hashed)."""
    content = {k: v for k, v in fields.items() if k not in ("t", "7", "52")}
    return hmac.new(secret.encode(), json.dumps(content, sort_keys=True).encode(), hashlib.sha256).hexdigest()


# ---------------------------------------------------------------------------------------------- the journal

_j = table_of(AtmJournal)
_RECALL = FastSQL("""
    SELECT fingerprint, response, response_code FROM atm_journal
     WHERE terminal_id = :terminal_id AND stan = :stan AND transmission_date = :day AND message = :message
""")
_CLAIM = FastSQL("""
    INSERT INTO atm_journal (terminal_id, stan, transmission_date, message, fingerprint, tx_type, response_code,
                             response, customer_id, account_id, amount, currency, created_at)
    VALUES (:terminal_id, :stan, :transmission_date, :message, :fingerprint, :tx_type, '', :response::json,
            :customer_id, :account_id, :amount, :currency, :created_at)
    ON CONFLICT (terminal_id, stan, transmission_date, message) DO NOTHING
    RETURNING id
""")
_ANSWER = FastSQL("""
    UPDATE atm_journal SET response_code = :code, response = :response::json, entry_id = :entry_id
     WHERE id = :jid
""")


def _day(uow: UnitOfWork, field7: str) -> date:
    """The journal key's day: field 7's, else the business date (read only then: it costs a query)."""
    return iso.transmission_date(field7, uow.now, None) or uow.business_date


def _recall(
    uow: UnitOfWork, terminal_id: str, stan: str, day: date, message: str, fp: str
) -> dict[str, str] | None:
    """The stored answer to an earlier request with this key: itself when the content is the same, a 94
    (duplicate) when it differs. None when the key is new."""
    cur = _RECALL.execute(uow, {"terminal_id": terminal_id, "stan": stan, "day": day, "message": message})
    row = cur.fetchone()
    cur.close()
    if row is None:
        return None
    stored_fp, response, code = row
    if stored_fp != fp or not code:
        return {"39": iso.DUPLICATE}
    # SQLite hands JSON back as text, PostgreSQL as a dict.
    return dict(json.loads(response) if isinstance(response, str) else response)


def _claim(
    uow: UnitOfWork,
    *,
    terminal_id: str,
    stan: str,
    day: date,
    message: str,
    fp: str,
    tx_type: str,
    amount: int,
    currency: str,
    card: CardCheck | None,
) -> int | None:
    """Claim the journal key in this transaction; None when another request holds it."""
    row = _CLAIM.execute(
        uow,
        {
            "terminal_id": terminal_id,
            "stan": stan,
            "transmission_date": day,
            "message": message,
            "fingerprint": fp,
            "tx_type": tx_type,
            "response": "{}",
            "customer_id": card.customer_id if card else None,
            "account_id": card.account_id if card else None,
            "amount": amount,
            "currency": currency,
            "created_at": uow.now,
        },
    ).fetchone()
    return int(row[0]) if row else None


def _references(uow: UnitOfWork, journal_id: int, entry_id: int) -> dict[str, str]:
    """Field 37 (retrieval reference: year, day of year, journal number) and 38 (authorization id)."""
    return {"37": f"{uow.now:%y%j}{journal_id % 10_000_000:07d}", "38": f"{entry_id % 1_000_000:06d}"}


# -------------------------------------------------------------------------------------------- authorizing


TERMINAL_TTL = 5.0  # seconds a process keeps a terminal's data (see the module docstring)
_terminals: dict[tuple[str, str], tuple[float, TerminalInfo]] = {}


def _terminal(uow: UnitOfWork, terminal_id: str) -> TerminalInfo | None:
    """The terminal, from this process's copy when it is younger than TERMINAL_TTL (keyed by database too:
    one process may serve several banks, as the tests do)."""
    key = (str(uow.settings.database_url), terminal_id)
    now = time.monotonic()
    kept = _terminals.get(key)
    if kept is not None and now - kept[0] < TERMINAL_TTL:
        return kept[1]
    term = terminals.get_terminal(uow, terminal_id)
    if term is None:
        _terminals.pop(key, None)
    else:
        _terminals[key] = (now, term)
    return term


def _authorize(uow: UnitOfWork, req: CardRequest) -> tuple[Authorization, PostingAccount | None]:
    registry.require_open(uow, req.channel, req.tx_type)
    term = _terminal(uow, req.terminal_id)
    if term is None:
        return Authorization(iso.INVALID_TRANSACTION), None
    if term.status != "active" or term.kind != req.channel:
        return Authorization(iso.NOT_PERMITTED, term), None
    if req.tx_type != "balance_inquiry":
        seen = _recall(uow, req.terminal_id, req.stan, _day(uow, req.field7), "0200", req.fingerprint)
        if seen is not None:
            return Authorization(seen["39"], term, replay=seen), None
    card, acc = cards.check_pin_for_posting(uow, req.pan, req.pin_block, term.pin_key)
    return Authorization(card.code, term, card), acc


def authorize(uow: UnitOfWork, req: CardRequest) -> Authorization:
    """Check, in order: the channel and transaction type are open (raises ChannelClosed or
    TransactionTypeClosed), the terminal is known (else 12) and active and of the right kind (else 57), the
    request is not a repeat (else the first answer, or 94), and the card and PIN (14, 41, 54, 55, 57, 75).
    Commit it whatever the answer: a wrong PIN has been counted. (`process` does this and the money step in
    one unit of work; this is the check alone.)"""
    return _authorize(uow, req)[0]


def process(uow: UnitOfWork, req: CardRequest) -> dict[str, str]:
    """A financial request (0200) in one unit of work: `authorize`, then `balance_inquiry` or `book`. Returns
    the answer's fields (39; 37 and 38 on an approval, 54 for an inquiry; a repeat's stored answer), never
    raising for a refusal, so that the unit of work commits a counted wrong PIN. Raises only ChannelClosed or
    TransactionTypeClosed, before anything is written."""
    auth, acc = _authorize(uow, req)
    if auth.replay is not None:
        return answer_fields(auth.replay)
    if auth.code != iso.APPROVED:
        return {"39": auth.code}
    if req.tx_type == "balance_inquiry":
        return balance_inquiry(uow, req, auth)
    return _financial(uow, req, auth, _BOOKERS[req.tx_type], acc)


def balance_inquiry(uow: UnitOfWork, req: CardRequest, auth: Authorization) -> dict[str, str]:
    """Field 54 for an authorized card: the ledger balance (amount type 01) and the available balance (02)."""
    assert auth.card is not None and auth.card.account_id is not None
    bal = ledger.balances(uow, [auth.card.account_id])[auth.card.account_id]
    kind = req.account_type if req.account_type != "00" else "10"
    groups = iso.balance_group(kind, "01", bal.currency, bal.balance) + iso.balance_group(
        kind, "02", bal.currency, bal.available
    )
    return {"39": iso.APPROVED, "54": groups}


# ----------------------------------------------------------------------------------------- the money step


def _financial(
    uow: UnitOfWork,
    req: CardRequest,
    auth: Authorization,
    book: Callable[[UnitOfWork, CardRequest, TerminalInfo, PostingAccount, Money], int],
    acc: PostingAccount | None = None,
) -> dict[str, str]:
    """Claim the journal key, book the request (a refusal is answered, its writes undone), store the answer.
    `acc` is the card's account when this transaction has read it already (by the PIN check)."""
    assert auth.card is not None and auth.terminal is not None
    day = _day(uow, req.field7)
    jid = _claim(
        uow,
        terminal_id=req.terminal_id,
        stan=req.stan,
        day=day,
        message="0200",
        fp=req.fingerprint,
        tx_type=req.tx_type,
        amount=req.amount,
        currency=req.currency,
        card=auth.card,
    )
    if jid is None:  # a twin of this request got there first
        return _recall(uow, req.terminal_id, req.stan, day, "0200", req.fingerprint) or {"39": iso.DUPLICATE}
    entry_id: int | None = None
    try:
        with uow.session.begin_nested():
            if acc is None:
                acc = accounts.load_for_posting(uow, [auth.card.account_number])[auth.card.account_number]
            if acc.currency != req.currency:
                raise CurrencyMismatch(f"the card's account holds {acc.currency}")
            entry_id = book(uow, req, auth.terminal, acc, Money.from_minor(req.amount, acc.currency))
        answer = {"39": iso.APPROVED, **_references(uow, jid, entry_id)}
    except CoreBankError as exc:
        answer = {"39": response_code(exc)}
    _ANSWER.execute(
        uow, {"jid": jid, "code": answer["39"], "response": to_json(answer), "entry_id": entry_id}
    )
    return answer


def _limits(uow: UnitOfWork, req: CardRequest, acc: PostingAccount, amount: Money, tx_type: str) -> None:
    limits.check_and_record(
        uow,
        customer_id=acc.customer_id,
        channel=req.channel,
        tx_type=tx_type,
        amount=amount,
        account_class=acc.account_class,
        tier=customers.tier_of(uow, acc.customer_id),
        strength=STRENGTH,
    )


def _book_withdrawal(
    uow: UnitOfWork, req: CardRequest, term: TerminalInfo, acc: PostingAccount, amount: Money
) -> int:
    accounts.check_can_debit(acc)
    _limits(uow, req, acc, amount, "withdrawal")
    accounts.prepare_debit(uow, acc, amount, None, SWITCH.username)
    if term.cash_account_id is None:
        raise AtmCashShort(f"terminal {term.terminal_id} keeps no cash")
    try:
        entry = ledger.post(
            uow,
            EntryDraft(
                WITHDRAWAL_KIND,
                (
                    Leg.debit(acc.gl_code, acc.branch_code, amount, acc.id, f"ATM {term.terminal_id} cash"),
                    Leg.credit(
                        chart.ATM_CASH, term.branch_code, amount, term.cash_account_id, f"card {acc.number}"
                    ),
                ),
                memo=f"ATM withdrawal at {term.terminal_id}",
                reference=f"ATM {term.terminal_id} {req.stan}",
            ),
            by=SWITCH.username,
            channel="atm",
        )
    except ledger.InsufficientFunds:
        # The card's account or the ATM's cash (1005 may not go below zero): read which, only when refused.
        cash = ledger.balances(uow, [term.cash_account_id])[term.cash_account_id]
        if cash.available < amount.to_minor():
            raise AtmCashShort(f"ATM {term.terminal_id} holds less than {amount}") from None
        raise
    uow.audit(
        SWITCH,
        "atm.withdrawal",
        "entry",
        entry.id,
        terminal=term.terminal_id,
        stan=req.stan,
        amount=amount.text(),
    )
    return entry.id


def _book_purchase(
    uow: UnitOfWork, req: CardRequest, term: TerminalInfo, acc: PostingAccount, amount: Money
) -> int:
    accounts.check_can_debit(acc)
    _limits(uow, req, acc, amount, "purchase")
    accounts.prepare_debit(uow, acc, amount, None, SWITCH.username)
    entry = ledger.post(
        uow,
        EntryDraft(
            PURCHASE_KIND,
            (
                Leg.debit(
                    acc.gl_code,
                    acc.branch_code,
                    amount,
                    acc.id,
                    f"POS {term.merchant_name or term.terminal_id}",
                ),
                Leg.credit(chart.CARD_MERCHANT_PAYABLE, term.branch_code, amount, None, f"card {acc.number}"),
            ),
            memo=f"card payment at {term.merchant_name or term.terminal_id}"[:200],
            reference=f"POS {term.terminal_id} {req.stan}",
        ),
        by=SWITCH.username,
        channel="pos",
    )
    uow.audit(
        SWITCH,
        "pos.purchase",
        "entry",
        entry.id,
        terminal=term.terminal_id,
        stan=req.stan,
        amount=amount.text(),
    )
    return entry.id


def _book_transfer(
    uow: UnitOfWork, req: CardRequest, term: TerminalInfo, payer: PostingAccount, amount: Money
) -> int:
    try:
        payee = accounts.load_for_posting(uow, [req.payee])[req.payee]
        accounts.check_can_credit(payee)
    except CoreBankError as exc:
        raise PayeeRefused(f"payee account: {exc.code}") from None
    if payee.id == payer.id or payee.currency != payer.currency:
        raise PayeeRefused("the payee is the card's own account, or holds another currency")
    accounts.check_can_debit(payer)
    _limits(uow, req, payer, amount, "transfer")
    accounts.prepare_debit(uow, payer, amount, payee.id, SWITCH.username)
    own = payee.customer_id == payer.customer_id
    # To another person the money waits in 2262 (booked in the payee's branch) until it is credited.
    credit = (
        Leg.credit(payee.gl_code, payee.branch_code, amount, payee.id, f"ATM transfer from {payer.number}")
        if own
        else Leg.credit(chart.ATM_TRANSFERS_PENDING, payee.branch_code, amount, None, f"to {payee.number}")
    )
    entry = ledger.post(
        uow,
        EntryDraft(
            transfers.TRANSFER_KIND,
            (
                Leg.debit(
                    payer.gl_code, payer.branch_code, amount, payer.id, f"ATM transfer to {payee.number}"
                ),
                credit,
            ),
            memo=f"ATM transfer at {term.terminal_id} to {payee.number}",
            reference=f"ATM {term.terminal_id} {req.stan}",
        ),
        by=SWITCH.username,
        channel="atm",
    )
    due = uow.now if own else uow.now + timedelta(hours=int(uow.settings.atm_transfer_delay_hours))
    tid = transfers.record(
        uow,
        entry_id=entry.id,
        terminal_id=term.terminal_id,
        stan=req.stan,
        payer=payer,
        payee=payee,
        amount=amount,
        branch_code=payee.branch_code,
        due_at=due,
        credited=own,
    )
    uow.audit(
        SWITCH,
        "atm.transfer",
        "atm_transfer",
        tid,
        entry=entry.id,
        terminal=term.terminal_id,
        stan=req.stan,
        amount=amount.text(),
        payee=payee.number,
        due_at=due.isoformat(),
    )
    return entry.id


_BOOKERS = {"withdrawal": _book_withdrawal, "purchase": _book_purchase, "transfer": _book_transfer}


def book(uow: UnitOfWork, req: CardRequest, auth: Authorization) -> dict[str, str]:
    """The money step of an authorized withdrawal, transfer or purchase: the answer's fields 39 (37, 38), in a
    unit of work of its own after `authorize`'s."""
    return _financial(uow, req, auth, _BOOKERS[req.tx_type])


# ------------------------------------------------------------------------------------------------ reversal


def reverse(uow: UnitOfWork, req: ReversalRequest) -> dict[str, str]:
    """Reverse (冲正) the withdrawal or purchase named in field 90, which the terminal could not complete:
    the mirror entry (atm.reversal) and the limits given back. A reversal already done answers 00 again
    without posting; one whose original is unknown or was refused answers 25 (unable to locate); a different
    amount (partial reversals are not taken) answers 13. A reversal is taken even while the channel is closed:
    it gives the customer back money the terminal did not pay out."""
    term = terminals.get_terminal(uow, req.terminal_id)
    if term is None:
        return {"39": iso.INVALID_TRANSACTION}
    day = _day(uow, req.field7)
    seen = _recall(uow, req.terminal_id, req.stan, day, "0420", req.fingerprint)
    if seen is not None:
        return seen
    jid = _claim(
        uow,
        terminal_id=req.terminal_id,
        stan=req.stan,
        day=day,
        message="0420",
        fp=req.fingerprint,
        tx_type="reversal",
        amount=req.amount or 0,
        currency=term.currency,
        card=None,
    )
    if jid is None:
        return _recall(uow, req.terminal_id, req.stan, day, "0420", req.fingerprint) or {"39": iso.DUPLICATE}
    entry_id: int | None = None
    try:
        with uow.session.begin_nested():
            code, entry_id = _undo(uow, req, term)
    except CoreBankError as exc:
        code = response_code(exc)
    answer = {"39": code}
    _ANSWER.execute(uow, {"jid": jid, "code": code, "response": to_json(answer), "entry_id": entry_id})
    return answer


def _undo(uow: UnitOfWork, req: ReversalRequest, term: TerminalInfo) -> tuple[str, int | None]:
    original_day = _day(uow, req.original_field7)
    o = uow.conn.execute(
        select(_j).where(
            _j.c.terminal_id == req.terminal_id,
            _j.c.stan == req.original_stan,
            _j.c.transmission_date == original_day,
            _j.c.message == "0200",
        )
    ).first()
    if (
        o is None
        or o.response_code != iso.APPROVED
        or o.entry_id is None
        or o.tx_type not in ("withdrawal", "purchase")
    ):
        return iso.UNABLE_TO_LOCATE, None
    if req.amount is not None and req.amount != o.amount:
        return iso.INVALID_AMOUNT, None
    claimed = uow.conn.execute(
        update(_j).where(_j.c.id == o.id, _j.c.reversed_at.is_(None)).values(reversed_at=uow.now)
    )
    if claimed.rowcount != 1:
        return iso.APPROVED, None  # reversed before: nothing more to do
    original = ledger.get_entry(uow, o.entry_id)
    legs = tuple(
        (Leg.credit if ln.amount > 0 else Leg.debit)(
            ln.gl_code,
            ln.branch_code,
            Money.from_minor(abs(ln.amount), ln.currency),
            ln.account_id,
            "reversal",
        )
        for ln in original.lines
        if ln.gl_code != chart.INTER_BRANCH  # post() books the inter-branch lines again
    )
    entry = ledger.post(
        uow,
        EntryDraft(
            REVERSAL_KIND,
            legs,
            memo=f"reversal of entry {original.id}: not completed at {term.terminal_id}",
            reference=original.reference,
        ),
        by=SWITCH.username,
        channel=term.kind,
    )
    uow.conn.execute(update(_j).where(_j.c.id == o.id).values(reversal_entry_id=entry.id))
    amount = Money.from_minor(o.amount, o.currency)
    if o.customer_id is not None:
        channel = "pos" if o.tx_type == "purchase" else "atm"
        limits.release(uow, customer_id=o.customer_id, channel=channel, tx_type=o.tx_type, amount=amount)
    uow.audit(
        SWITCH,
        "atm.reversal",
        "entry",
        entry.id,
        reverses=original.id,
        terminal=term.terminal_id,
        stan=req.stan,
    )
    return iso.APPROVED, entry.id


# ------------------------------------------------------------------------------------------------ network


def sign_on(uow: UnitOfWork, terminal_id: str, signed_on: bool) -> str:
    """Sign a terminal on (0800, code 001) or off (002): 00, or 12 for an unknown terminal, 57 for a
    disabled one."""
    term = terminals.get_terminal(uow, terminal_id)
    if term is None:
        return iso.INVALID_TRANSACTION
    if term.status != "active":
        return iso.NOT_PERMITTED
    terminals.mark_signed_on(uow, terminal_id, signed_on)
    uow.audit(SWITCH, "atm.sign_on" if signed_on else "atm.sign_off", "terminal", terminal_id)
    return iso.APPROVED


def answer_fields(stored: dict[str, Any]) -> dict[str, str]:
    """A stored answer's fields as text (JSON gives them back as they went in)."""
    return {str(k): str(v) for k, v in stored.items()}
