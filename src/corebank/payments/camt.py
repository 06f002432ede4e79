"""ISO 20022 account reports: the camt.053 statement of a period and the camt.054 notice of one entry.

Both read the account's booked lines through the accounts area (`get_account`, `history`,
`statement_chunk`), so branch scope and ACCOUNT_READ are checked exactly as for the CSV/PDF statement;
interbank lines name the other bank's customer, read from this area's interbank payments.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import or_, select

from corebank import accounts, iso20022, ledger
from corebank.accounts import AccountRead, Transaction
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CoreBankError, InvalidRequest, NotFound
from corebank.payments.interbank_models import InterbankPayment
from corebank.security import Actor, P

# Lines are read this many at a time.
CHUNK = 1000
# The longest period one camt.053 covers: a (leap) year, like the CSV/PDF statement.
MAX_DAYS = 366
MEDIA_TYPE = "application/xml"


class InvalidPeriod(InvalidRequest):
    code = "INVALID_PERIOD"
    title = "The statement period is not valid"


class EntryNotOnAccount(NotFound):
    code = "ENTRY_NOT_ON_ACCOUNT"
    title = "That journal entry has no line on this account"


class CamtOutOfBalance(CoreBankError):
    """The lines do not add up to the ledger's balance: the report is withheld rather than issued wrong."""

    code = "STATEMENT_OUT_OF_BALANCE"
    status = 500
    title = "The statement does not add up; it was not issued"


def parse_day(name: str, text: str | None) -> date:
    """A YYYY-MM-DD date given as `name`; INVALID_PERIOD when missing or not a date."""
    if not text:
        raise InvalidPeriod(f"{name} is required, as YYYY-MM-DD")
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidPeriod(f"{name} must be a date YYYY-MM-DD; got {text!r}") from None


def _check_period(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise InvalidPeriod(f"from {date_from} is after to {date_to}")
    days = (date_to - date_from).days + 1
    if days > MAX_DAYS:
        raise InvalidPeriod(f"a statement covers at most {MAX_DAYS} days; {date_from} to {date_to} is {days}")


def camt053_filename(account_number: str, date_from: date, date_to: date) -> str:
    """The file name to save a camt.053 under."""
    return f"camt053-{account_number}-{date_from}-{date_to}.xml"


def camt054_filename(account_number: str, entry_id: int) -> str:
    """The file name to save a camt.054 under."""
    return f"camt054-{account_number}-{entry_id}.xml"


def _decimal(text: str) -> Decimal:
    return Decimal(text)


def _counterparties(
    uow: UnitOfWork, account_number: str, entry_ids: set[int]
) -> dict[int, tuple[iso20022.Party, str]]:
    """For the interbank entries among `entry_ids`: the other side of the payment and its end-to-end id."""
    if not entry_ids:
        return {}
    ids = sorted(entry_ids)
    p = InterbankPayment
    rows = uow.session.execute(
        select(p).where(
            or_(p.funding_entry_id.in_(ids), p.settle_entry_id.in_(ids), p.refund_entry_id.in_(ids))
        )
    ).scalars()
    found: dict[int, tuple[iso20022.Party, str]] = {}
    for row in rows:
        if row.direction == "out" and row.debtor_account == account_number:
            other = iso20022.Party(row.creditor_name, row.creditor_account, row.creditor_bank_code)
        elif row.direction == "in" and row.creditor_account == account_number:
            other = iso20022.Party(row.debtor_name, row.debtor_account, row.debtor_bank_code)
        else:
            continue
        for entry_id in (row.funding_entry_id, row.settle_entry_id, row.refund_entry_id):
            if entry_id in entry_ids:
                found[entry_id] = (other, row.end_to_end_id)
    return found


def _lines(uow: UnitOfWork, account_number: str, rows: list[Transaction]) -> list[iso20022.StatementLine]:
    """camt entries for account lines (amounts as text, signed from the customer's side)."""
    parties = _counterparties(uow, account_number, {t.entry_id for t in rows})
    out = []
    for t in rows:
        amount = _decimal(t.amount)
        other, e2e = parties.get(t.entry_id, (None, ""))
        narrative = t.memo.strip() or t.kind.replace("_", " ")
        if t.reverses_entry is not None and "revers" not in narrative.lower():
            narrative = f"Reversal of entry {t.reverses_entry}: {narrative}"
        out.append(
            iso20022.StatementLine(
                entry_id=str(t.entry_id),
                amount=abs(amount),
                credit=amount > 0,
                booking_date=t.booking_date,
                value_date=t.value_date,
                narrative=narrative,
                kind=t.kind,
                end_to_end_id=e2e,
                counterparty=other,
            )
        )
    return out


def _opening(uow: UnitOfWork, actor: Actor, acc: AccountRead, day: date) -> tuple[Decimal, int]:
    """The balance after the last line booked before `day` (0 if none) and that line's id (0 if none)."""
    before = accounts.history(uow, actor, acc.number, limit=1, to_date=day - timedelta(days=1)).items
    if not before:
        return Decimal(0), 0
    if before[0].balance_after is None:
        raise CamtOutOfBalance(f"line {before[0].line_id} of {acc.number} carries no balance")
    return _decimal(before[0].balance_after), before[0].line_id


def _period_rows(
    uow: UnitOfWork, actor: Actor, number: str, date_from: date, date_to: date, after_line: int
) -> Iterable[Transaction]:
    while True:
        chunk = accounts.statement_chunk(
            uow, actor, number, from_date=date_from, to_date=date_to, after_line=after_line, size=CHUNK
        )
        yield from chunk
        if len(chunk) < CHUNK:
            return
        after_line = chunk[-1].line_id


def camt053(uow: UnitOfWork, actor: Actor, account_number: str, date_from: date, date_to: date) -> bytes:
    """The account's statement for the period (both days included) as camt.053.001.08: opening booked
    balance (OPBD), one entry per journal line, closing booked balance (CLBD), checked line by line
    against the ledger's running balance. Needs ACCOUNT_READ and the account in the actor's branch scope."""
    actor.require(P.ACCOUNT_READ)
    _check_period(date_from, date_to)
    acc = accounts.get_account(uow, actor, account_number)
    opening, opening_line = _opening(uow, actor, acc, date_from)
    rows = list(_period_rows(uow, actor, acc.number, date_from, date_to, opening_line))
    running = opening
    for t in rows:
        running += _decimal(t.amount)
        if t.balance_after is not None and _decimal(t.balance_after) != running:
            raise CamtOutOfBalance(
                f"line {t.line_id} of {acc.number}: running balance {running}, the ledger says {t.balance_after}"
            )
    uow.audit(actor, "account.camt053", "account", acc.number, from_date=str(date_from), to_date=str(date_to))
    stamp = uow.now
    statement = iso20022.Statement(
        msg_id=f"S{stamp:%y%m%d%H%M%S}-{acc.number}"[:35],
        created_at=stamp,
        statement_id=f"{acc.number}-{date_from:%y%m%d}-{date_to:%y%m%d}"[:35],
        account_number=acc.number,
        account_name=acc.name,
        currency=acc.currency,
        bank_code=uow.settings.bank_code,
        date_from=date_from,
        date_to=date_to,
        opening_balance=opening,
        closing_balance=running,
        lines=tuple(_lines(uow, acc.number, rows)),
    )
    return iso20022.build_camt053(statement)


def camt054(uow: UnitOfWork, actor: Actor, account_number: str, entry_id: int) -> bytes:
    """The camt.054.001.08 debit/credit notification of one posted entry on the account: one Ntry for each
    of the entry's lines on it. ENTRY_NOT_ON_ACCOUNT (404) when the entry does not touch the account."""
    actor.require(P.ACCOUNT_READ)
    acc = accounts.get_account(uow, actor, account_number)
    try:
        entry = ledger.get_entry(uow, entry_id)
    except NotFound:
        raise EntryNotOnAccount(f"no entry {entry_id} on account {acc.number}") from None
    day = entry.booking_date
    rows = [t for t in _period_rows(uow, actor, acc.number, day, day, 0) if t.entry_id == entry_id]
    if not rows:
        raise EntryNotOnAccount(f"no entry {entry_id} on account {acc.number}")
    uow.audit(actor, "account.camt054", "account", acc.number, entry_id=entry_id)
    stamp = uow.now
    note = iso20022.Notification(
        msg_id=f"N{stamp:%y%m%d%H%M%S}-{entry_id}"[:35],
        created_at=stamp,
        notification_id=f"{acc.number}-{entry_id}"[:35],
        account_number=acc.number,
        account_name=acc.name,
        currency=acc.currency,
        bank_code=uow.settings.bank_code,
        lines=tuple(_lines(uow, acc.number, rows)),
    )
    return iso20022.build_camt054(note)
