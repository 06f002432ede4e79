"""Direct debit mandates (代扣协议) and their collections (代扣).

A customer signs a mandate at the counter: a creditor (a registered biller, or an account in this bank) may
debit the customer's account up to a limit per debit and per calendar month, from a start date until the
expiry date, unless the mandate is revoked first. The creditor's side (payments operations, or the system)
collects on demand or schedules a debit for a due date, which end of day collects.

A collection either posts in full (Dr debtor / Cr creditor) or not at all: a debit the account cannot cover
(or that its state refuses) is recorded `failed` with the reason, and tried again `direct_debit_retry_days`
later until `direct_debit_max_attempts` attempts have been made. What the month has collected is counted on
the mandate with one conditional statement, so two collections at once cannot both pass the monthly limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, select, update

from corebank import accounts, customers, ledger
from corebank.db import idempotency
from corebank.db.base import table_of
from corebank.db.sequences import next_number
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CoreBankError, CurrencyMismatch
from corebank.kernel.events import Event
from corebank.kernel.money import Money, minor_to_text, positive_amount
from corebank.ledger import EntryDraft, Leg
from corebank.payments import billers
from corebank.payments.mandate_errors import (
    BillerNotActive,
    DebitDateInvalid,
    MandateDebtorMismatch,
    MandateExists,
    MandateExpired,
    MandateInvalid,
    MandateLimitExceeded,
    MandateMonthlyLimitExceeded,
    MandateNotActive,
    MandateNotFound,
    MandateNotStarted,
)
from corebank.payments.mandate_models import DirectDebit, Mandate
from corebank.payments.mandate_schemas import (
    CollectionCreate,
    DebitSchedule,
    DirectDebitRead,
    MandateCreate,
    MandateRead,
    MandateRevoke,
)
from corebank.security import SYSTEM, Actor, P

DIRECT_DEBIT_KIND = "direct_debit"
# Reasons a failed debit is tried again: money may arrive, a freeze or block may be lifted, a new day brings a
# new Type II/III allowance. Anything else (a closed account, the month's limit) is final.
RETRYABLE = frozenset(
    {
        "INSUFFICIENT_FUNDS",
        "ACCOUNT_FROZEN",
        "ACCOUNT_DEBIT_BLOCKED",
        "ACCOUNT_DORMANT",
        "ACCOUNT_CLASS_LIMIT_EXCEEDED",
    }
)
OPEN_DEBIT = ("scheduled", "failed")  # with a next attempt date: still to be tried
_mandates = table_of(Mandate)
_debits = table_of(DirectDebit)
_LOAD_BATCH = 500


# ---------------------------------------------------------------------------------------------- reading


def mandate_read(uow: UnitOfWork, m: Mandate) -> MandateRead:
    """The mandate as staff see it."""
    number = customers.customer_names(uow, [m.customer_id]).get(m.customer_id, ("", ""))[0]
    return MandateRead(
        mandate_id=m.id,
        mandate_ref=m.mandate_ref,
        customer_number=number,
        debtor_account=m.debtor_account,
        biller_code=m.biller_code,
        creditor_account=m.creditor_account,
        creditor_reference=m.creditor_reference,
        limit_per_debit=minor_to_text(m.limit_per_debit, m.currency),
        limit_per_month=minor_to_text(m.limit_per_month, m.currency),
        currency=m.currency,
        start_date=m.start_date,
        expiry_date=m.expiry_date,
        status=m.status,
        month_start=m.month_start,
        month_collected=minor_to_text(m.month_collected, m.currency),
        revoked_at=m.revoked_at,
        revoked_by=m.revoked_by,
        revoke_reason=m.revoke_reason,
        created_by=m.created_by,
    )


def debit_read(d: DirectDebit, mandate_ref: str) -> DirectDebitRead:
    """One direct debit."""
    return DirectDebitRead(
        debit_id=d.id,
        mandate_id=d.mandate_id,
        mandate_ref=mandate_ref,
        creditor_reference=d.creditor_reference,
        amount=minor_to_text(d.amount, d.currency),
        currency=d.currency,
        due_date=d.due_date,
        status=d.status,
        attempts=d.attempts,
        next_attempt_date=d.next_attempt_date,
        last_error=d.last_error,
        entry_id=d.entry_id,
    )


def _load(uow: UnitOfWork, actor: Actor, mandate_id: int, *, for_update: bool = False) -> Mandate:
    q = select(Mandate).where(Mandate.id == mandate_id)
    m = uow.session.execute(q.with_for_update() if for_update else q).scalar()
    if m is None:
        raise MandateNotFound(f"no mandate {mandate_id}")
    actor.require_branch(m.branch_code)
    return m


def get_mandate(uow: UnitOfWork, actor: Actor, mandate_id: int) -> MandateRead:
    """One mandate."""
    actor.require(P.PAYMENT_READ)
    return mandate_read(uow, _load(uow, actor, mandate_id))


def list_mandates(
    uow: UnitOfWork,
    actor: Actor,
    *,
    customer_number: str | None = None,
    account: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[MandateRead]:
    """Mandates in the actor's branches, newest first, filtered by customer, debtor account or status."""
    actor.require(P.PAYMENT_READ)
    q = select(Mandate).order_by(Mandate.id.desc()).limit(limit)
    if actor.branches is not None:
        q = q.where(Mandate.branch_code.in_(actor.branches))
    if customer_number:
        q = q.where(
            Mandate.customer_id == customers.customer_ref(uow, customer_number, must_be_active=False).id
        )
    if account:
        q = q.where(Mandate.debtor_account == account)
    if status:
        q = q.where(Mandate.status == status)
    return [mandate_read(uow, m) for m in uow.session.execute(q).scalars()]


def list_debits(uow: UnitOfWork, actor: Actor, mandate_id: int) -> list[DirectDebitRead]:
    """The direct debits of a mandate, newest first."""
    actor.require(P.PAYMENT_READ)
    m = _load(uow, actor, mandate_id)
    rows = uow.session.execute(
        select(DirectDebit).where(DirectDebit.mandate_id == m.id).order_by(DirectDebit.id.desc())
    ).scalars()
    return [debit_read(d, m.mandate_ref) for d in rows]


# ---------------------------------------------------------------------------------------------- signing


def create_mandate(uow: UnitOfWork, actor: Actor, cmd: MandateCreate) -> MandateRead:
    """Sign a mandate (签约代扣) at the counter: the debtor account must be the customer's own and open, the
    limits positive (per debit within per month), the expiry in the future."""
    actor.require(P.MANDATE_WRITE)
    today = uow.business_date
    if (cmd.biller_code is None) == (cmd.creditor_account is None):
        raise MandateInvalid("name the creditor: either a biller code or a creditor account, not both")
    customer = customers.customer_ref(uow, cmd.customer_number)
    per_debit = positive_amount(cmd.limit_per_debit, cmd.currency)
    per_month = positive_amount(cmd.limit_per_month, cmd.currency)
    if per_month < per_debit:
        raise MandateInvalid(f"the monthly limit {per_month} is below the limit per debit {per_debit}")
    start = cmd.start_date or today
    if start < today:
        raise MandateInvalid(f"the start date {start} is before today {today}")
    if cmd.expiry_date <= today or cmd.expiry_date < start:
        raise MandateInvalid(f"the expiry date {cmd.expiry_date} must be after today and the start date")
    if cmd.biller_code is not None:
        biller = billers.load_biller(uow, cmd.biller_code)
        if biller.status != "active":
            raise BillerNotActive(f"biller {biller.code} is {biller.status}")
        billers.check_reference(biller, cmd.creditor_reference)
        creditor_number = biller.settlement_account
    else:
        creditor_number = str(cmd.creditor_account)
    found = accounts.load_for_posting(uow, [cmd.debtor_account, creditor_number])
    debtor, creditor = found[cmd.debtor_account], found[creditor_number]
    actor.require_branch(debtor.branch_code)
    if debtor.customer_id != customer.id:
        raise MandateDebtorMismatch(
            f"account {debtor.number} is not an account of customer {customer.number}"
        )
    if debtor.id == creditor.id:
        raise accounts.SameAccount("the debtor and creditor accounts are the same")
    accounts.check_can_debit(debtor)
    accounts.check_can_credit(creditor)
    if debtor.currency != cmd.currency or creditor.currency != cmd.currency:
        raise CurrencyMismatch(f"both accounts must hold {cmd.currency}")
    ref = cmd.mandate_ref or f"MD{today:%Y%m%d}{next_number(uow, 'mandate_ref'):08d}"
    if uow.session.execute(select(Mandate.id).where(Mandate.mandate_ref == ref)).first() is not None:
        raise MandateExists(f"mandate {ref} exists")
    m = Mandate(
        mandate_ref=ref,
        customer_id=customer.id,
        debtor_account_id=debtor.id,
        debtor_account=debtor.number,
        branch_code=debtor.branch_code,
        biller_code=cmd.biller_code,
        creditor_account_id=creditor.id,
        creditor_account=creditor.number,
        creditor_reference=cmd.creditor_reference,
        limit_per_debit=per_debit.to_minor(),
        limit_per_month=per_month.to_minor(),
        currency=cmd.currency,
        start_date=start,
        expiry_date=cmd.expiry_date,
        status="active",
        month_start=None,
        month_collected=0,
        revoked_at=None,
        revoked_by=None,
        revoke_reason="",
        created_by=actor.username,
        created_at=uow.now,
    )
    uow.session.add(m)
    uow.session.flush()
    uow.audit(
        actor,
        "mandate.create",
        "mandate",
        m.id,
        ref=ref,
        debtor=debtor.number,
        creditor=creditor.number,
        limit_per_debit=per_debit.text(),
        limit_per_month=per_month.text(),
        expiry=str(cmd.expiry_date),
    )
    uow.publish(Event("MandateSigned", "mandate", str(m.id), {"ref": ref, "customer": customer.number}))
    return mandate_read(uow, m)


def revoke_mandate(uow: UnitOfWork, actor: Actor, mandate_id: int, cmd: MandateRevoke) -> MandateRead:
    """Revoke a mandate (解约): no debit is collected under it any more; its open debits are cancelled."""
    actor.require(P.MANDATE_WRITE)
    m = _load(uow, actor, mandate_id, for_update=True)
    if m.status != "active":
        raise MandateNotActive(f"mandate {m.mandate_ref} is {m.status}")
    m.status, m.revoked_at, m.revoked_by, m.revoke_reason = "revoked", uow.now, actor.username, cmd.reason
    cancelled = _cancel_open_debits(uow, [m.id], "MANDATE_REVOKED")
    uow.audit(actor, "mandate.revoke", "mandate", m.id, reason=cmd.reason, debits_cancelled=cancelled)
    uow.publish(Event("MandateRevoked", "mandate", str(m.id), {"ref": m.mandate_ref}))
    return mandate_read(uow, m)


def _cancel_open_debits(uow: UnitOfWork, mandate_ids: list[int], reason: str) -> int:
    done = uow.conn.execute(
        update(_debits)
        .where(
            _debits.c.mandate_id.in_(mandate_ids),
            _debits.c.status.in_(OPEN_DEBIT),
            _debits.c.next_attempt_date.is_not(None),
        )
        .values(status="cancelled", next_attempt_date=None, last_error=reason)
    )
    return int(done.rowcount or 0)


def expire_mandates(uow: UnitOfWork, day: date) -> int:
    """Mark the mandates whose last day was `day` (or before) expired and cancel their open debits; set-based,
    and nothing changes when run again."""
    ids = list(
        uow.conn.execute(
            select(_mandates.c.id).where(_mandates.c.status == "active", _mandates.c.expiry_date <= day)
        ).scalars()
    )
    if not ids:
        return 0
    for start in range(0, len(ids), _LOAD_BATCH):
        part = ids[start : start + _LOAD_BATCH]
        uow.conn.execute(update(_mandates).where(_mandates.c.id.in_(part)).values(status="expired"))
        _cancel_open_debits(uow, part, "MANDATE_EXPIRED")
    uow.audit(SYSTEM, "mandate.expire", "business_date", str(day), count=len(ids))
    return len(ids)


# ---------------------------------------------------------------------------------------------- collecting


def _month_so_far(m: Mandate, day: date) -> int:
    return m.month_collected if m.month_start == day.replace(day=1) else 0


def check_collectable(m: Mandate, day: date, amount: Money) -> None:
    """Refuse a debit of `amount` on `day` the mandate does not allow: not active, expired, not started, over
    the limit per debit, or over what is left of the month's limit."""
    if m.status == "expired" or m.expiry_date < day:
        raise MandateExpired(f"mandate {m.mandate_ref} expired on {m.expiry_date}")
    if m.status != "active":
        raise MandateNotActive(f"mandate {m.mandate_ref} is {m.status}")
    if m.start_date > day:
        raise MandateNotStarted(f"mandate {m.mandate_ref} starts on {m.start_date}")
    limit = Money.from_minor(m.limit_per_debit, m.currency)
    if limit < amount:
        raise MandateLimitExceeded(f"{amount} is over the mandate's limit of {limit} per debit")
    so_far = _month_so_far(m, day)
    if so_far + amount.to_minor() > m.limit_per_month:
        left = minor_to_text(max(m.limit_per_month - so_far, 0), m.currency)
        raise MandateMonthlyLimitExceeded(f"{amount} is over what is left of this month's limit ({left})")


def _count_in_month(uow: UnitOfWork, m: Mandate, amount: Money, day: date) -> None:
    """Add `amount` to the month's collections in one conditional statement (refused past the limit)."""
    month = day.replace(day=1)
    so_far = case((_mandates.c.month_start == month, _mandates.c.month_collected), else_=0)
    a = amount.to_minor()
    done = uow.conn.execute(
        update(_mandates)
        .where(_mandates.c.id == m.id, so_far + a <= _mandates.c.limit_per_month)
        .values(month_start=month, month_collected=so_far + a)
    )
    if done.rowcount != 1:
        raise MandateMonthlyLimitExceeded(f"mandate {m.mandate_ref}: this month's limit would be exceeded")


def _post_collection(
    uow: UnitOfWork, m: Mandate, debit: DirectDebit, day: date, by: str, channel: str
) -> int:
    """Post the debit in full (Dr debtor / Cr creditor) and return the entry id, or raise why not. Runs inside
    a savepoint: whatever it wrote is undone when it raises."""
    found = accounts.load_for_posting(uow, [m.debtor_account, m.creditor_account])
    debtor, creditor = found[m.debtor_account], found[m.creditor_account]
    accounts.check_can_debit(debtor)
    accounts.check_can_credit(creditor)
    amount = Money.from_minor(debit.amount, debit.currency)
    _count_in_month(uow, m, amount, day)
    if not accounts.prepare_debit(uow, debtor, amount, creditor.id, by):
        raise ledger.InsufficientFunds(f"account {debtor.number} cannot cover {amount}")
    ref = debit.creditor_reference or m.mandate_ref
    entry = ledger.post(
        uow,
        EntryDraft(
            DIRECT_DEBIT_KIND,
            (
                Leg.debit(debtor.gl_code, debtor.branch_code, amount, debtor.id, f"direct debit {ref}"),
                Leg.credit(creditor.gl_code, creditor.branch_code, amount, creditor.id, f"collected {ref}"),
            ),
            memo=f"direct debit under mandate {m.mandate_ref}",
            reference=f"DD{debit.id}",
        ),
        by=by,
        channel=channel,
    )
    return entry.id


def attempt(uow: UnitOfWork, actor: Actor, m: Mandate, debit: DirectDebit, day: date) -> None:
    """Try to collect `debit` now: posted in full and `collected`, or `failed` with the reason and, when the
    reason may pass and attempts are left, a retry `direct_debit_retry_days` later. Nothing is half-posted."""
    settings = uow.settings
    debit.attempts += 1
    debit.last_attempt_date = day
    audits, events = len(uow.audits), len(uow.events)
    entry_id: int | None = None
    error: str | None = None
    try:
        with uow.session.begin_nested():
            # Emit the SAVEPOINT now: the Core statements run on `uow.conn` would not make the session emit it.
            uow.session.connection()
            entry_id = _post_collection(uow, m, debit, day, actor.username, actor.channel)
    except CoreBankError as exc:
        error = exc.code
        # Whatever the savepoint undid must not be audited or published either.
        del uow.audits[audits:], uow.events[events:]
    uow.session.expire(m, ["month_start", "month_collected"])
    if error is None:
        debit.status, debit.next_attempt_date, debit.last_error = "collected", None, None
        debit.entry_id, debit.collected_at = entry_id, uow.now
        uow.audit(
            actor, "direct_debit.collect", "direct_debit", debit.id, entry=entry_id, mandate=m.mandate_ref
        )
        uow.publish(
            Event(
                "DirectDebitCollected",
                "direct_debit",
                str(debit.id),
                {
                    "mandate": m.mandate_ref,
                    "amount": debit.amount,
                    "currency": debit.currency,
                    "entry": entry_id,
                },
            )
        )
        return
    retry = error in RETRYABLE and debit.attempts < int(settings.direct_debit_max_attempts)
    debit.status, debit.last_error = "failed", error
    debit.next_attempt_date = day + timedelta(days=int(settings.direct_debit_retry_days)) if retry else None
    uow.audit(
        actor,
        "direct_debit.fail",
        "direct_debit",
        debit.id,
        error=error,
        attempts=debit.attempts,
        retry_on=str(debit.next_attempt_date) if retry else None,
    )


def collect(
    uow: UnitOfWork, actor: Actor, mandate_id: int, cmd: CollectionCreate, idempotency_key: str | None
) -> DirectDebitRead:
    """Collect under a mandate now (on demand): refused (nothing changes) when the mandate is not active, has
    expired or the amount is over a limit; otherwise a debit that is `collected`, or `failed` with its reason
    and a retry scheduled. A retry of the request with the same key returns the first answer."""
    actor.require(P.PAYMENT_OPERATE)
    body = {"mandate_id": mandate_id, **cmd.model_dump()}

    def work() -> dict[str, Any]:
        # Refused outright while end of day closes the date, rather than recorded as a failed debit.
        uow.check_bookings_open()
        m = _load(uow, actor, mandate_id, for_update=True)
        today = uow.business_date
        amount = positive_amount(cmd.amount, m.currency)
        check_collectable(m, today, amount)
        debit = DirectDebit(
            mandate_id=m.id,
            creditor_reference=cmd.creditor_reference or m.creditor_reference,
            amount=amount.to_minor(),
            currency=m.currency,
            due_date=today,
            status="scheduled",
            attempts=0,
            next_attempt_date=today,
            last_attempt_date=None,
            last_error=None,
            entry_id=None,
            request_key=idempotency_key,
            created_by=actor.username,
            created_at=uow.now,
            collected_at=None,
        )
        uow.session.add(debit)
        uow.session.flush()
        attempt(uow, actor, m, debit, today)
        uow.session.flush()
        return debit_read(debit, m.mandate_ref).model_dump(mode="json")

    return DirectDebitRead(**idempotency.once(uow, f"debit:{actor.username}", idempotency_key, body, work))


def schedule_debit(uow: UnitOfWork, actor: Actor, mandate_id: int, cmd: DebitSchedule) -> DirectDebitRead:
    """Put a direct debit on a due date (today or later, within the mandate's dates); end of day collects it.
    The amount must be within the limit per debit; the month's limit is checked when it is collected."""
    actor.require(P.PAYMENT_OPERATE)
    m = _load(uow, actor, mandate_id)
    today = uow.business_date
    amount = positive_amount(cmd.amount, m.currency)
    if m.status != "active":
        raise MandateNotActive(f"mandate {m.mandate_ref} is {m.status}")
    if m.expiry_date < today:
        raise MandateExpired(f"mandate {m.mandate_ref} expired on {m.expiry_date}")
    if not (max(today, m.start_date) <= cmd.due_date <= m.expiry_date):
        raise DebitDateInvalid(
            f"the due date must fall between {max(today, m.start_date)} and {m.expiry_date}, not {cmd.due_date}"
        )
    if Money.from_minor(m.limit_per_debit, m.currency) < amount:
        raise MandateLimitExceeded(f"{amount} is over the mandate's limit per debit")
    debit = DirectDebit(
        mandate_id=m.id,
        creditor_reference=cmd.creditor_reference or m.creditor_reference,
        amount=amount.to_minor(),
        currency=m.currency,
        due_date=cmd.due_date,
        status="scheduled",
        attempts=0,
        next_attempt_date=cmd.due_date,
        last_attempt_date=None,
        last_error=None,
        entry_id=None,
        request_key=None,
        created_by=actor.username,
        created_at=uow.now,
        collected_at=None,
    )
    uow.session.add(debit)
    uow.session.flush()
    uow.audit(
        actor, "direct_debit.schedule", "direct_debit", debit.id, mandate=m.mandate_ref, due=str(cmd.due_date)
    )
    return debit_read(debit, m.mandate_ref)


# ---------------------------------------------------------------------------------------------- end of day


def highest_debit_id(uow: UnitOfWork, day: date) -> int:
    """The highest direct debit id (0 when there is none): the upper bound of the end-of-day step."""
    return int(uow.conn.execute(select(_debits.c.id).order_by(_debits.c.id.desc()).limit(1)).scalar() or 0)


def _batches(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _LOAD_BATCH):
        yield ids[start : start + _LOAD_BATCH]


def collect_due(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """End-of-day chunk over direct debit ids in (lo, hi]: each debit scheduled for `day` (or before), or whose
    retry falls due, is attempted once. Guarded by its date: a debit attempted on `day` is not taken again the
    same day, so a re-run changes nothing. A debit whose mandate has ended is cancelled instead."""
    c = _debits.c
    due = and_(
        c.id > lo,
        c.id <= hi,
        c.status.in_(OPEN_DEBIT),
        c.next_attempt_date.is_not(None),
        c.next_attempt_date <= day,
        (c.last_attempt_date.is_(None)) | (c.last_attempt_date < day),
    )
    ids = list(uow.conn.execute(select(c.id).where(due).order_by(c.id)).scalars())
    for part in _batches(ids):
        debits = list(uow.session.execute(select(DirectDebit).where(DirectDebit.id.in_(part))).scalars())
        mandate_ids = {d.mandate_id for d in debits}
        by_id = {
            m.id: m for m in uow.session.execute(select(Mandate).where(Mandate.id.in_(mandate_ids))).scalars()
        }
        for debit in sorted(debits, key=lambda d: d.id):
            m = by_id[debit.mandate_id]
            try:
                check_collectable(m, day, Money.from_minor(debit.amount, debit.currency))
            except CoreBankError as exc:
                # The mandate ended: the debit is cancelled. A limit: the debit fails for good.
                ended = isinstance(exc, (MandateExpired, MandateNotActive))
                debit.status = "cancelled" if ended else "failed"
                debit.next_attempt_date, debit.last_error, debit.last_attempt_date = None, exc.code, day
                uow.audit(
                    SYSTEM,
                    f"direct_debit.{'cancel' if ended else 'fail'}",
                    "direct_debit",
                    debit.id,
                    error=exc.code,
                )
                continue
            attempt(uow, SYSTEM, m, debit, day)
        uow.session.flush()
        uow.session.expunge_all()
    return len(ids)
