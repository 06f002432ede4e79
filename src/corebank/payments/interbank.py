"""Outbound interbank payments (跨行汇款) and the steps of every interbank row: create, settle, reject, return.

A payment is funded when it is created: the payer is debited and the money waits in clearing suspense (1011)
until the clearing house answers. Postings (the contract of issue 5):
- created: Dr payer / Cr 1011 (plus the fee Dr payer / Cr 6021);
- settled: Dr 1011 / Cr 1003;  rejected: Dr 1011 (and 6021 for the fee) / Cr payer;
- returned after settlement: Dr 1003 / Cr payer.
1011 is booked in the row's branch (the payer's), 1003 at the head office that holds the central bank account;
the ledger adds the inter-branch lines. The status of the row decides what a step may do, so every step is
idempotent: a repeated status report changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update

from corebank import accounts, customers, ledger
from corebank.db import idempotency
from corebank.db.base import table_of
from corebank.db.sequences import next_number
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.money import Money, minor_to_text, positive_amount
from corebank.ledger import EntryDraft, Leg, chart
from corebank.operations import calendar
from corebank.payments import fees
from corebank.payments import interbank_rules as rules
from corebank.payments.interbank_errors import (
    BadBankCode,
    BadPaymentId,
    InterbankCurrency,
    InterbankPaymentNotFound,
    SameBank,
)
from corebank.payments.interbank_models import InterbankPayment
from corebank.payments.interbank_schemas import InterbankCreate, InterbankPage, InterbankRead
from corebank.products import fee_schedule
from corebank.security import Actor, P

ib = table_of(InterbankPayment)

CREATE_KIND = "interbank.out"
SETTLE_KIND = "interbank.settle"
REFUND_KIND = "interbank.reject"
RETURNED_KIND = "interbank.returned"
# Statuses in which an outbound payment's money is still in suspense.
UNSETTLED = ("created", "sent")
FINAL = ("settled", "rejected", "returned", "credited")


# ---------------------------------------------------------------- identifiers, routing, checks


def new_id(uow: UnitOfWork, kind: str) -> str:
    """A fresh clearing identifier of this bank: T transaction, M message, R return (31 characters)."""
    seq = next_number(uow, f"interbank:{kind}")
    return rules.clearing_id(uow.settings.bank_code, uow.business_date, kind, seq)


def plan_route(uow: UnitOfWork, amount: Money, urgent: bool, at: datetime | None = None) -> rules.Route:
    """The system and value date of a payment created now (or at `at`, UTC), by the bank's settings and
    calendar."""
    s = uow.settings
    today = uow.business_date
    wall = rules.local_time(at or uow.now, rules.bank_zone(s.bank_timezone))
    return rules.route(
        amount=amount.amount,
        urgent=urgent,
        beps_limit=Decimal(str(s.beps_single_limit)),
        business_date=today,
        next_working_day=calendar.next_working_day(uow, today + timedelta(days=1)),
        today_is_working=calendar.is_working_day(uow, today),
        wall=wall,
        opens=rules.parse_hhmm(s.hvps_open),
        closes=rules.parse_hhmm(s.hvps_close),
        cutoff=rules.parse_hhmm(s.interbank_cutoff),
    )


def check_creditor_bank(uow: UnitOfWork, bank_code: str) -> None:
    """Refuse a creditor bank code that is not 12 digits, or is this bank's own (use an internal transfer)."""
    if not rules.is_bank_code(bank_code):
        raise BadBankCode(f"creditor bank code {bank_code!r} is not 12 digits")
    if bank_code == uow.settings.bank_code:
        raise SameBank(f"{bank_code} is this bank: make an internal transfer instead")


def _check_currency(uow: UnitOfWork, currency: str) -> None:
    if currency != uow.settings.base_currency:
        raise InterbankCurrency(
            f"interbank clearing carries {uow.settings.base_currency} only, not {currency}"
        )


def _insert(uow: UnitOfWork, **values: Any) -> int:
    values.setdefault("created_at", uow.now)
    values.setdefault("updated_at", uow.now)
    return int(uow.conn.execute(insert(ib).values(**values).returning(ib.c.id)).scalar_one())


# ---------------------------------------------------------------- creating outbound payments


def record_funded_outbound(
    uow: UnitOfWork,
    *,
    by: str,
    channel: str,
    payer_account_id: int,
    payer_account: str,
    payer_name: str,
    branch_code: str,
    creditor_bank_code: str,
    creditor_account: str,
    creditor_name: str,
    amount: Money,
    end_to_end_id: str,
    remittance: str = "",
    urgent: bool = False,
    funding_entry_id: int,
    bulk_line_id: int | None = None,
) -> int:
    """Record an outbound payment whose money the caller already moved into clearing suspense (bulk files,
    standing orders): its funding entry credited 1011 in `branch_code`. Returns the payment id; the row is
    `created` and the sender sends it like any other. A rejection or return refunds `payer_account_id`."""
    check_creditor_bank(uow, creditor_bank_code)
    _check_currency(uow, amount.currency)
    if not amount.is_positive():
        raise InvalidRequest("an interbank payment amount must be above zero")
    if not end_to_end_id or len(end_to_end_id) > rules.MAX_ID:
        raise BadPaymentId(f"end-to-end id {end_to_end_id!r} must be 1 to {rules.MAX_ID} characters")
    if not creditor_account or len(creditor_account) > 34:
        raise InvalidRequest("the creditor account must be 1 to 34 characters")
    plan = plan_route(uow, amount, urgent)
    payment_id = _insert(
        uow,
        direction="out",
        system=plan.system,
        status="created",
        tx_id=new_id(uow, "T"),
        end_to_end_id=end_to_end_id,
        msg_id=None,
        debtor_bank_code=uow.settings.bank_code,
        debtor_account=payer_account,
        debtor_name=payer_name[:140],
        creditor_bank_code=creditor_bank_code,
        creditor_account=creditor_account,
        creditor_name=creditor_name[:140],
        amount=amount.to_minor(),
        currency=amount.currency,
        remittance=remittance[:140],
        urgent=urgent,
        account_id=payer_account_id,
        branch_code=branch_code,
        value_date=plan.value_date,
        fee=0,
        reason_text="",
        funding_entry_id=funding_entry_id,
        bulk_line_id=bulk_line_id,
        channel=channel[:16],
        created_by=by[:64],
    )
    uow.audit(
        _Who(by, channel, branch_code),
        "interbank.create",
        "interbank_payment",
        payment_id,
        amount=amount.text(),
        creditor_bank=creditor_bank_code,
        funded_by=funding_entry_id,
    )
    uow.publish(_created_event(payment_id, payer_account, creditor_bank_code, amount, plan))
    return payment_id


class _Who:
    """The author of a step recorded for someone else (bulk, standing orders): name, channel and branch."""

    def __init__(self, username: str, channel: str, branch_code: str | None = None):
        self.username, self.channel, self.branch_code = username, channel, branch_code


def _created_event(
    payment_id: int, payer: str, creditor_bank: str, amount: Money, plan: rules.Route
) -> Event:
    return Event(
        "InterbankPaymentCreated",
        "interbank_payment",
        str(payment_id),
        {
            "from": payer,
            "creditor_bank": creditor_bank,
            "amount": amount.to_minor(),
            "currency": amount.currency,
            "system": plan.system,
            "value_date": plan.value_date.isoformat(),
        },
    )


def send_interbank(
    uow: UnitOfWork, actor: Actor, cmd: InterbankCreate, idempotency_key: str | None
) -> InterbankRead:
    """Send money to an account at another bank (跨行转账): debit the payer (amount and counter fee) into
    clearing suspense now; the clearing sender takes it to the clearing house."""
    actor.require(P.PAYMENT_CREATE)
    body = cmd.model_dump()

    def work() -> dict[str, Any]:
        check_creditor_bank(uow, cmd.creditor_bank_code)
        _check_currency(uow, cmd.currency)
        payer = accounts.load_for_posting(uow, [cmd.from_account])[cmd.from_account]
        actor.require_branch(payer.branch_code)
        if payer.currency != cmd.currency:
            raise InterbankCurrency(f"account {payer.number} holds {payer.currency}, not {cmd.currency}")
        amount = positive_amount(cmd.amount, cmd.currency)
        # The fee table (products) prices it by channel, the payer's tier, their branch and the amount band.
        fee = fee_schedule.quote(
            uow,
            tx_type="interbank",
            channel=fees.fee_channel(actor.channel),
            tier=customers.tier_of(uow, payer.customer_id),
            branch_code=payer.branch_code,
            amount=amount,
        )
        accounts.check_can_debit(payer)
        accounts.consume_class_limit(uow, payer, amount, None)
        total = amount + fee
        shortfall = total.to_minor() - payer.available
        if shortfall > 0:
            accounts.cover_shortfall(uow, payer.id, shortfall, actor.username)
        plan = plan_route(uow, amount, cmd.urgent)
        tx_id = new_id(uow, "T")
        note = f"interbank to {cmd.creditor_bank_code} {cmd.creditor_account}"[:120]
        legs = [
            Leg.debit(payer.gl_code, payer.branch_code, amount, payer.id, note),
            Leg.credit(chart.CLEARING_SUSPENSE, payer.branch_code, amount, None, tx_id),
        ]
        if fee.is_positive():
            legs += [
                Leg.debit(payer.gl_code, payer.branch_code, fee, payer.id, "interbank transfer fee"),
                Leg.credit(chart.FEE_INCOME, payer.branch_code, fee, None, tx_id),
            ]
        entry = ledger.post(
            uow,
            EntryDraft(CREATE_KIND, tuple(legs), memo=cmd.remittance[:120], reference=tx_id),
            by=actor.username,
            channel=actor.channel,
        )
        payment_id = _insert(
            uow,
            direction="out",
            system=plan.system,
            status="created",
            tx_id=tx_id,
            end_to_end_id=tx_id,
            msg_id=None,
            debtor_bank_code=uow.settings.bank_code,
            debtor_account=payer.number,
            debtor_name=payer.name[:140],
            creditor_bank_code=cmd.creditor_bank_code,
            creditor_account=cmd.creditor_account,
            creditor_name=cmd.creditor_name,
            amount=amount.to_minor(),
            currency=amount.currency,
            remittance=cmd.remittance,
            urgent=cmd.urgent,
            account_id=payer.id,
            branch_code=payer.branch_code,
            value_date=plan.value_date,
            fee=fee.to_minor(),
            reason_text="",
            funding_entry_id=entry.id,
            channel=actor.channel[:16],
            created_by=actor.username,
        )
        uow.audit(
            actor,
            "interbank.create",
            "interbank_payment",
            payment_id,
            amount=amount.text(),
            fee=fee.text(),
            payer=payer.number,
            creditor_bank=cmd.creditor_bank_code,
            creditor_account=cmd.creditor_account,
            system=plan.system,
            value_date=plan.value_date.isoformat(),
        )
        uow.publish(_created_event(payment_id, payer.number, cmd.creditor_bank_code, amount, plan))
        return _read(_load(uow, payment_id)).model_dump(mode="json")

    return InterbankRead(**idempotency.once(uow, f"interbank:{actor.username}", idempotency_key, body, work))


# ---------------------------------------------------------------- reading


def _load(uow: UnitOfWork, payment_id: int) -> Any:
    row = uow.conn.execute(select(ib).where(ib.c.id == payment_id)).first()
    if row is None:
        raise InterbankPaymentNotFound(f"no interbank payment {payment_id}")
    return row


def _read(row: Any) -> InterbankRead:
    return InterbankRead(
        payment_id=row.id,
        direction=row.direction,
        system=row.system,
        status=row.status,
        tx_id=row.tx_id,
        end_to_end_id=row.end_to_end_id,
        msg_id=row.msg_id,
        debtor_bank_code=row.debtor_bank_code,
        debtor_account=row.debtor_account,
        debtor_name=row.debtor_name,
        creditor_bank_code=row.creditor_bank_code,
        creditor_account=row.creditor_account,
        creditor_name=row.creditor_name,
        amount=minor_to_text(row.amount, row.currency),
        fee=minor_to_text(row.fee, row.currency),
        currency=row.currency,
        remittance=row.remittance,
        urgent=row.urgent,
        value_date=row.value_date,
        reason_code=row.reason_code,
        reason_text=row.reason_text,
        return_id=row.return_id,
        return_date=row.return_date,
        funding_entry_id=row.funding_entry_id,
        settle_entry_id=row.settle_entry_id,
        refund_entry_id=row.refund_entry_id,
        created_at=row.created_at,
        sent_at=row.sent_at,
        settled_at=row.settled_at,
    )


def get_payment(uow: UnitOfWork, actor: Actor, payment_id: int) -> InterbankRead:
    """An interbank payment, either direction, by its id (payment staff, or anyone who may read accounts)."""
    if not (actor.can(P.PAYMENT_READ) or actor.can(P.ACCOUNT_READ)):
        actor.require(P.PAYMENT_READ)
    row = _load(uow, payment_id)
    actor.require_branch(row.branch_code)
    return _read(row)


DIRECTIONS = ("out", "in")
STATUSES = ("created", "sent", "settled", "rejected", "returned", "credited", "return_pending")


def list_payments(
    uow: UnitOfWork,
    actor: Actor,
    *,
    status: str | None = None,
    direction: str | None = None,
    value_date: date | None = None,
    account: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> InterbankPage:
    """Interbank payments in the actor's branches, newest first, filtered by status, direction, value date
    or account; follow next_cursor."""
    if not (actor.can(P.PAYMENT_READ) or actor.can(P.ACCOUNT_READ)):
        actor.require(P.PAYMENT_READ)
    q = select(ib)
    if status:
        if status not in STATUSES:
            raise InvalidRequest(f"status must be one of {', '.join(STATUSES)}")
        q = q.where(ib.c.status == status)
    if direction:
        if direction not in DIRECTIONS:
            raise InvalidRequest("direction must be out or in")
        q = q.where(ib.c.direction == direction)
    if value_date:
        q = q.where(ib.c.value_date == value_date)
    if account:
        acc = accounts.load_for_posting(uow, [account])[account]
        q = q.where(ib.c.account_id == acc.id)
    if actor.branches is not None:
        q = q.where(ib.c.branch_code.in_(actor.branches))
    if cursor:
        if not cursor.isdigit():
            raise InvalidRequest("cursor is not one this API gave out")
        q = q.where(ib.c.id < int(cursor))
    limit = max(1, min(limit, int(uow.settings.page_size_max)))
    rows = list(uow.conn.execute(q.order_by(ib.c.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return InterbankPage(
        items=[_read(r) for r in rows], next_cursor=str(rows[-1].id) if more and rows else None
    )


# ---------------------------------------------------------------- steps driven by the clearing house


def outbound_by_tx(uow: UnitOfWork, tx_id: str) -> Any:
    """Our outbound row with this transaction id, or None."""
    return uow.conn.execute(select(ib).where(ib.c.direction == "out", ib.c.tx_id == tx_id)).first()


def _move(uow: UnitOfWork, row: Any, from_status: tuple[str, ...], **values: Any) -> bool:
    """Change the row's status only if it is still in one of `from_status` (guards against a concurrent
    step of the same payment)."""
    values["updated_at"] = uow.now
    done = uow.conn.execute(
        update(ib).where(ib.c.id == row.id, ib.c.status.in_(from_status)).values(**values)
    )
    return done.rowcount == 1


def _money(row: Any, minor: int) -> Money:
    return Money.from_minor(minor, row.currency)


def mark_sent(uow: UnitOfWork, actor: Any, row: Any) -> bool:
    """The clearing house accepted the payment for a later netting (BEPS ACSP): created → sent."""
    if row.status != "created":
        return False
    if _move(uow, row, ("created",), status="sent", sent_at=uow.now):
        uow.audit(actor, "interbank.sent", "interbank_payment", row.id, tx_id=row.tx_id, msg_id=row.msg_id)
        return True
    return False


def mark_settled(uow: UnitOfWork, actor: Any, row: Any) -> bool:
    """The clearing house settled the payment (ACSC): Dr 1011 / Cr 1003; created|sent → settled.
    False (nothing done) when the row is already past that."""
    if row.status not in UNSETTLED:
        return False
    amount = _money(row, row.amount)
    entry = ledger.post(
        uow,
        EntryDraft(
            SETTLE_KIND,
            (
                Leg.debit(chart.CLEARING_SUSPENSE, row.branch_code, amount, None, row.tx_id),
                Leg.credit(
                    chart.DUE_FROM_CENTRAL_BANK, uow.settings.head_office_code, amount, None, row.tx_id
                ),
            ),
            memo=f"settled {row.system} {row.tx_id}",
            reference=row.tx_id,
        ),
        by=_name(actor),
        channel="clearing",
    )
    if not _move(
        uow,
        row,
        UNSETTLED,
        status="settled",
        settled_at=uow.now,
        settle_entry_id=entry.id,
        sent_at=row.sent_at or uow.now,
    ):
        raise InvalidRequest(f"interbank payment {row.id} changed while being settled")
    uow.audit(actor, "interbank.settled", "interbank_payment", row.id, tx_id=row.tx_id, entry=entry.id)
    uow.publish(
        Event(
            "InterbankPaymentSettled",
            "interbank_payment",
            str(row.id),
            {"tx_id": row.tx_id, "amount": row.amount, "currency": row.currency},
        )
    )
    return True


def mark_rejected(uow: UnitOfWork, actor: Any, row: Any, reason: str | None, info: str = "") -> bool:
    """The clearing house refused the payment (RJCT) before settling it: the amount and the fee go back to
    the payer (Dr 1011, Dr 6021 / Cr payer); created|sent → rejected."""
    if row.status not in UNSETTLED:
        return False
    amount, fee = _money(row, row.amount), _money(row, row.fee)
    payer = _payer(uow, row)
    refund, held = _refund(payer, amount, f"interbank rejected {reason or ''}")
    legs = [Leg.debit(chart.CLEARING_SUSPENSE, row.branch_code, amount, None, row.tx_id), refund]
    if fee.is_positive():
        legs += [
            Leg.debit(chart.FEE_INCOME, row.branch_code, fee, None, row.tx_id),
            _refund(payer, fee, "interbank fee refunded")[0],
        ]
    entry = ledger.post(
        uow,
        EntryDraft(
            REFUND_KIND, tuple(legs), memo=f"rejected {row.tx_id} {reason or ''}"[:120], reference=row.tx_id
        ),
        by=_name(actor),
        channel="clearing",
    )
    if not _move(
        uow,
        row,
        UNSETTLED,
        status="rejected",
        reason_code=(reason or "NARR")[:8],
        reason_text="; ".join(t for t in (info, held) if t)[:200],
        refund_entry_id=entry.id,
    ):
        raise InvalidRequest(f"interbank payment {row.id} changed while being rejected")
    uow.audit(
        actor,
        "interbank.rejected",
        "interbank_payment",
        row.id,
        tx_id=row.tx_id,
        reason=reason,
        entry=entry.id,
    )
    uow.publish(
        Event(
            "InterbankPaymentRejected",
            "interbank_payment",
            str(row.id),
            {"tx_id": row.tx_id, "reason": reason, "amount": row.amount, "fee": row.fee},
        )
    )
    return True


def mark_returned(
    uow: UnitOfWork,
    actor: Any,
    row: Any,
    *,
    return_id: str,
    return_msg_id: str,
    reason: str,
    return_date: date | None = None,
) -> bool:
    """The receiving bank sent the settled payment back (pacs.004): Dr 1003 / Cr payer; settled → returned.
    A return proves settlement, so a row still waiting for its settlement report is settled first."""
    if row.status in UNSETTLED:
        mark_settled(uow, actor, row)
        row = _load(uow, row.id)
    if row.status != "settled":
        return False
    amount = _money(row, row.amount)
    payer = _payer(uow, row)
    refund, held = _refund(payer, amount, f"interbank returned {reason}")
    entry = ledger.post(
        uow,
        EntryDraft(
            RETURNED_KIND,
            (
                Leg.debit(
                    chart.DUE_FROM_CENTRAL_BANK, uow.settings.head_office_code, amount, None, return_id
                ),
                refund,
            ),
            memo=f"returned {row.tx_id} {reason}"[:120],
            reference=return_id,
        ),
        by=_name(actor),
        channel="clearing",
    )
    if not _move(
        uow,
        row,
        ("settled",),
        status="returned",
        reason_code=reason[:8],
        reason_text=held[:200],
        return_id=return_id,
        return_msg_id=return_msg_id,
        return_date=return_date or uow.business_date,
        refund_entry_id=entry.id,
    ):
        raise InvalidRequest(f"interbank payment {row.id} changed while being returned")
    uow.audit(
        actor,
        "interbank.returned",
        "interbank_payment",
        row.id,
        tx_id=row.tx_id,
        reason=reason,
        entry=entry.id,
    )
    uow.publish(
        Event(
            "InterbankPaymentReturned",
            "interbank_payment",
            str(row.id),
            {"tx_id": row.tx_id, "reason": reason, "amount": row.amount},
        )
    )
    return True


def _payer(uow: UnitOfWork, row: Any) -> accounts.PostingAccount:
    """The payer's account behind an outbound row, for a refund."""
    number = accounts.numbers_of(uow, [int(row.account_id)]).get(int(row.account_id))
    if number is None:
        raise InvalidRequest(f"interbank payment {row.id} names no payer account")
    return accounts.load_for_posting(uow, [number])[number]


def _refund(payer: accounts.PostingAccount, amount: Money, narrative: str) -> tuple[Leg, str]:
    """The credit that gives money back to the payer, and a note when it cannot reach the account: while the
    account takes credits, to it; once closed or credit-blocked, to 2261 payment refunds awaiting payout, so a
    refund never stops the clearing link (the note names the account for the person who pays it out)."""
    if payer.status != "closed" and not payer.credit_blocked:
        return Leg.credit(payer.gl_code, payer.branch_code, amount, payer.id, narrative), ""
    why = "closed" if payer.status == "closed" else "credit-blocked"
    note = f"refund held in {chart.REFUNDS_PENDING}: account {payer.number} is {why}"
    return Leg.credit(
        chart.REFUNDS_PENDING, payer.branch_code, amount, None, f"{payer.number} {narrative}"
    ), note


def _name(actor: Any) -> str:
    return str(getattr(actor, "username", actor))
