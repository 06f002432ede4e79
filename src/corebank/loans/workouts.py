"""Loan workouts: a credit officer's five-tier classification (五级分类), collections (催收) with promises to
pay, restructuring (贷款重组), write-off (核销) and recoveries after write-off.

Postings:
- restructuring capitalises the overdue interest and the unpaid penalty into principal: Dr the loan's account
  under 1301 / Cr 1132 interest receivable; the overdue principal is simply rescheduled (it is already in the
  loan's account);
- write-off, one entry: the provision is brought to the principal written off (Dr 6701 impairment loss /
  Cr 1304 provision; a release the other way round), the principal is taken off against it (Dr 1304 / Cr the
  loan's account: its balance to zero), and the interest receivable is reversed (Dr 6011 / Cr 1132);
- a recovery after write-off reverses impairment loss: Dr the source (an account of the borrower, or the
  teller's till) / Cr 6701.
So GL 1132 stays Σ engine.receivable and GL 1304 stays −Σ loan.provision.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from corebank import customers, ledger
from corebank.db import idempotency
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.money import Money, minor_to_text, positive_amount
from corebank.ledger import EntryDraft, Leg, chart
from corebank.loans import engine, rules, servicing
from corebank.loans.errors import InvalidClassification, InvalidRate, LoanClosed, LoanStatusConflict
from corebank.loans.models import CollectionAction, Loan, LoanClassification, LoanInstallment
from corebank.loans.store import find_loan
from corebank.loans.workout_errors import (
    InvalidCollectionAction,
    LoanNotOverdue,
    RecoveryExceedsWrittenOff,
    RestructuringNotAllowed,
    WriteOffNotAllowed,
)
from corebank.loans.workout_schemas import (
    COLLECTION_ACTIONS,
    ClassificationChange,
    ClassificationHistoryRead,
    CollectionActionCreate,
    CollectionActionRead,
    CollectionQueueItem,
    CollectionQueuePage,
    LoanClassificationRead,
    Recovery,
    RecoveryRead,
    Restructuring,
    RestructuringRead,
    WriteOff,
    WriteOffRead,
)
from corebank.security import Actor, P

RESTRUCTURED_AT_LEAST = "special_mention"  # a restructured loan is never classified better (关注 at least)
WRITE_OFF_CLASSES = ("doubtful", "loss")


def _rank(classification: str) -> int:
    """A class's rank in rules.CLASSIFICATIONS, worst highest (normal 0 … loss 4)."""
    return rules.CLASSIFICATIONS.index(classification)


def worse(a: str, b: str) -> str:
    """The worse of two five-tier classes."""
    return a if _rank(a) >= _rank(b) else b


def _active(loan: Loan) -> None:
    if loan.status in ("closed", "written_off"):
        raise LoanClosed(f"loan {loan.loan_number} is {loan.status.replace('_', ' ')}")
    if loan.status != "active":
        raise LoanStatusConflict(f"loan {loan.loan_number} is {loan.status}: disburse it first")


def _overdue(loan: Loan) -> int:
    """What is overdue on the loan (minor units): unpaid penalty, overdue interest and overdue principal."""
    return loan.penalty_accrued - loan.penalty_paid + loan.overdue_interest + loan.overdue_principal


def _history(uow: UnitOfWork, loan: Loan, from_class: str, reason: str, by: str) -> None:
    uow.session.add(
        LoanClassification(
            loan_id=loan.id,
            from_class=from_class,
            to_class=loan.classification,
            days_past_due=loan.days_past_due,
            reason=reason,
            changed_on=uow.business_date,
            changed_by=by,
        )
    )


def _classification_read(loan: Loan) -> LoanClassificationRead:
    return LoanClassificationRead(
        loan_number=loan.loan_number,
        classification=loan.classification,
        classification_floor=loan.classification_floor,
        officer_classification=loan.officer_classification,
        classification_reason=loan.classification_reason,
        days_past_due=loan.days_past_due,
    )


# ---------------------------------------------------------------------------------------------- classification


def classify(
    uow: UnitOfWork, actor: Actor, loan_number: str, cmd: ClassificationChange
) -> LoanClassificationRead:
    """A credit officer classifies a loan worse than its end-of-day floor (never better: INVALID_CLASSIFICATION);
    naming the floor itself clears the officer's class. The loan's class becomes the worse of the two."""
    actor.require(P.LOAN_COLLECT)
    loan = find_loan(uow, actor, loan_number)
    _active(loan)
    wanted = cmd.classification
    if wanted not in rules.CLASSIFICATIONS:
        raise InvalidClassification(
            f"classification: {wanted!r} is not one of {', '.join(rules.CLASSIFICATIONS)}"
        )
    floor = loan.classification_floor
    if _rank(wanted) < _rank(floor):
        raise InvalidClassification(
            f"loan {loan_number} cannot be classified {wanted}: its floor by {loan.days_past_due} days past due "
            f"is {floor}; an officer may classify worse than the floor, never better"
        )
    before = loan.classification
    loan.officer_classification = None if wanted == floor else wanted
    loan.classification = worse(floor, wanted)
    loan.classification_reason = cmd.reason
    _history(uow, loan, before, cmd.reason, actor.username)
    uow.session.flush()
    uow.audit(
        actor,
        "loan.classify",
        "loan",
        loan_number,
        from_class=before,
        to_class=loan.classification,
        floor=floor,
        reason=cmd.reason,
    )
    uow.publish(
        Event(
            "LoanClassified",
            "loan",
            loan_number,
            {"from": before, "to": loan.classification, "by": actor.username},
        )
    )
    return _classification_read(loan)


def classification_history(
    uow: UnitOfWork, actor: Actor, loan_number: str
) -> list[ClassificationHistoryRead]:
    """Every change of the loan's class, by end of day or by an officer, oldest first."""
    actor.require(P.LOAN_READ)
    loan = find_loan(uow, actor, loan_number)
    rows = uow.session.execute(
        select(LoanClassification)
        .where(LoanClassification.loan_id == loan.id)
        .order_by(LoanClassification.id)
    ).scalars()
    return [
        ClassificationHistoryRead(
            from_class=r.from_class,
            to_class=r.to_class,
            days_past_due=r.days_past_due,
            reason=r.reason,
            changed_on=r.changed_on,
            changed_by=r.changed_by,
        )
        for r in rows
    ]


# ---------------------------------------------------------------------------------------------- collections


def _action_read(row: CollectionAction, loan_number: str, currency: str) -> CollectionActionRead:
    return CollectionActionRead(
        id=row.id,
        loan_number=loan_number,
        action=row.action,
        note=row.note,
        promise_amount=None if row.promise_amount is None else minor_to_text(row.promise_amount, currency),
        promise_date=row.promise_date,
        promise_status=row.promise_status,
        created_on=row.created_on,
        created_by=row.created_by,
    )


def add_collection_action(
    uow: UnitOfWork, actor: Actor, loan_number: str, cmd: CollectionActionCreate
) -> CollectionActionRead:
    """Record a collection step on an overdue loan (LOAN_NOT_OVERDUE when nothing is): a call, an SMS, a letter,
    a visit, legal action, or a promise to pay an amount by a date after today (then open)."""
    actor.require(P.LOAN_COLLECT)
    loan = find_loan(uow, actor, loan_number)
    if cmd.action not in COLLECTION_ACTIONS:
        raise InvalidCollectionAction(f"action: {cmd.action!r} is not one of {', '.join(COLLECTION_ACTIONS)}")
    today = uow.business_date
    amount: int | None = None
    if cmd.action == "promise":
        if cmd.promise_amount is None or cmd.promise_date is None:
            raise InvalidCollectionAction("a promise to pay needs promise_amount and promise_date")
        amount = Money.of(cmd.promise_amount, loan.currency).to_minor()
        if amount <= 0:
            raise InvalidCollectionAction(f"promise_amount: must be above zero, got {cmd.promise_amount!r}")
        if cmd.promise_date <= today:
            raise InvalidCollectionAction(f"promise_date: {cmd.promise_date} must be after today, {today}")
    elif cmd.promise_amount is not None or cmd.promise_date is not None:
        raise InvalidCollectionAction("only a promise to pay has promise_amount and promise_date")
    if loan.status != "active" or _overdue(loan) <= 0:
        raise LoanNotOverdue(f"nothing is overdue on loan {loan_number}")
    row = CollectionAction(
        loan_id=loan.id,
        action=cmd.action,
        note=cmd.note,
        promise_amount=amount,
        promise_date=cmd.promise_date if cmd.action == "promise" else None,
        promise_status="open" if cmd.action == "promise" else None,
        created_on=today,
        created_by=actor.username,
        created_at=uow.now,
    )
    uow.session.add(row)
    uow.session.flush()
    detail: dict[str, Any] = {"step": cmd.action, "action_id": row.id}
    if amount is not None:
        detail |= {
            "promise_amount": minor_to_text(amount, loan.currency),
            "promise_date": str(cmd.promise_date),
        }
    uow.audit(actor, "loan.collection_action", "loan", loan_number, **detail)
    uow.publish(Event("LoanCollectionActionTaken", "loan", loan_number, detail))
    return _action_read(row, loan_number, loan.currency)


def collection_actions(uow: UnitOfWork, actor: Actor, loan_number: str) -> list[CollectionActionRead]:
    """Every collection step on the loan, oldest first."""
    actor.require(P.LOAN_READ)
    loan = find_loan(uow, actor, loan_number)
    rows = uow.session.execute(
        select(CollectionAction).where(CollectionAction.loan_id == loan.id).order_by(CollectionAction.id)
    ).scalars()
    return [_action_read(r, loan_number, loan.currency) for r in rows]


def _queue_cursor(cursor: str) -> tuple[date, int]:
    since, _, last_id = cursor.partition("~")
    try:
        return date.fromisoformat(since), int(last_id)
    except ValueError:
        raise InvalidRequest("cursor is not one this API gave out") from None


def collections_queue(
    uow: UnitOfWork, actor: Actor, cursor: str | None = None, limit: int = 50
) -> CollectionQueuePage:
    """The collections queue (催收队列): overdue loans in the actor's branches, the longest overdue first, each
    with what is overdue, days past due, class, the last collection step and any open promise to pay. Follow
    next_cursor."""
    actor.require(P.LOAN_READ)
    q = select(Loan).where(Loan.status == "active", Loan.overdue_since.is_not(None))
    if actor.branches is not None:
        q = q.where(Loan.branch_code.in_(actor.branches))
    if cursor:
        since, last_id = _queue_cursor(cursor)
        q = q.where(or_(Loan.overdue_since > since, and_(Loan.overdue_since == since, Loan.id > last_id)))
    limit = max(1, min(limit, 200))
    loans = list(uow.session.execute(q.order_by(Loan.overdue_since, Loan.id).limit(limit + 1)).scalars())
    more = len(loans) > limit
    loans = loans[:limit]
    ids = [loan.id for loan in loans]
    last: dict[int, CollectionAction] = {}
    promises: dict[int, CollectionAction] = {}
    if ids:
        newest = (
            select(func.max(CollectionAction.id))
            .where(CollectionAction.loan_id.in_(ids))
            .group_by(CollectionAction.loan_id)
        )
        for row in uow.session.execute(
            select(CollectionAction).where(CollectionAction.id.in_(newest))
        ).scalars():
            last[row.loan_id] = row
        for row in uow.session.execute(
            select(CollectionAction)
            .where(
                CollectionAction.loan_id.in_(ids),
                CollectionAction.action == "promise",
                CollectionAction.promise_status == "open",
            )
            .order_by(CollectionAction.id)
        ).scalars():
            promises[row.loan_id] = row  # the latest open promise wins
    balances = ledger.balances(uow, ids) if ids else {}
    names = customers.customer_names(uow, sorted({loan.customer_id for loan in loans}))
    items = []
    for loan in loans:
        cur = loan.currency

        def text(minor: int, cur: str = cur) -> str:
            return minor_to_text(minor, cur)

        action, promise = last.get(loan.id), promises.get(loan.id)
        items.append(
            CollectionQueueItem(
                loan_number=loan.loan_number,
                customer_number=names[loan.customer_id][0],
                branch_code=loan.branch_code,
                currency=cur,
                outstanding_principal=text(balances[loan.id].balance),
                overdue_principal=text(loan.overdue_principal),
                overdue_interest=text(loan.overdue_interest),
                penalty_owed=text(loan.penalty_accrued - loan.penalty_paid),
                overdue_total=text(_overdue(loan)),
                overdue_since=loan.overdue_since,
                days_past_due=loan.days_past_due,
                classification=loan.classification,
                last_action=None if action is None else _action_read(action, loan.loan_number, cur),
                open_promise=None if promise is None else _action_read(promise, loan.loan_number, cur),
            )
        )
    next_cursor = None
    if more and loans and loans[-1].overdue_since is not None:
        next_cursor = f"{loans[-1].overdue_since.isoformat()}~{loans[-1].id}"
    return CollectionQueuePage(items=items, next_cursor=next_cursor)


# ---------------------------------------------------------------------------------------------- restructuring


def _new_rate(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        rate = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidRate(f"annual_rate: {text!r} is not a number") from None
    rules.check_rate(rate)
    return text.strip()


def restructure(
    uow: UnitOfWork, actor: Actor, loan_number: str, cmd: Restructuring, idempotency_key: str | None
) -> RestructuringRead:
    """Restructure (贷款重组) a loan with something overdue or classified worse than normal: the overdue interest
    and unpaid penalty are capitalised into principal, the overdue principal goes back into a new schedule of
    `term_months` from a month after today, and the loan is flagged restructured and classified at least
    special mention."""
    actor.require(P.LOAN_WORKOUT)

    def work() -> dict[str, Any]:
        return _restructure(uow, actor, loan_number, cmd).model_dump(mode="json")

    stored = idempotency.once(uow, f"loan.restructure:{loan_number}", idempotency_key, cmd.model_dump(), work)
    return RestructuringRead(**stored)


def _restructure(uow: UnitOfWork, actor: Actor, loan_number: str, cmd: Restructuring) -> RestructuringRead:
    loan = find_loan(uow, actor, loan_number)
    _active(loan)
    rules.check_term(cmd.term_months)
    rate = _new_rate(cmd.annual_rate)
    if _overdue(loan) <= 0 and loan.classification == rules.CLASSIFICATIONS[0]:
        raise RestructuringNotAllowed(
            f"loan {loan_number} has nothing overdue and is classified {loan.classification}"
        )
    today = uow.business_date
    interest = loan.overdue_interest
    penalty = loan.penalty_accrued - loan.penalty_paid
    entry_id = None
    if interest + penalty > 0:
        m = Money.from_minor(interest + penalty, loan.currency)
        memo = f"loan {loan_number} restructured: overdue interest and penalty capitalised"
        entry_id = ledger.post(
            uow,
            EntryDraft(
                "loan_restructuring",
                (
                    Leg.debit(chart.LOANS, loan.branch_code, m, loan.id, memo),
                    Leg.credit(chart.INTEREST_RECEIVABLE, loan.branch_code, m),
                ),
                memo=memo,
                reference=loan_number,
            ),
            by=actor.username,
            channel=actor.channel,
        ).id
    uow.session.execute(
        update(LoanInstallment)
        .where(LoanInstallment.loan_id == loan.id, LoanInstallment.status == "due")
        .values(status="restructured")
    )
    loan.overdue_principal = 0
    loan.overdue_interest = 0
    loan.penalty_paid = loan.penalty_accrued
    loan.overdue_since = None
    loan.days_past_due = 0
    servicing.reschedule(
        uow,
        loan,
        reason="restructuring",
        by=actor.username,
        new_rate=rate,
        periods=cmd.term_months,
        first_due=rules.add_months(today, 1),
    )
    loan.restructured = True
    before = loan.classification
    loan.classification_floor = rules.classify(0)
    loan.officer_classification = worse(before, RESTRUCTURED_AT_LEAST)
    loan.classification = worse(loan.classification_floor, loan.officer_classification)
    loan.classification_reason = "restructured"
    _history(uow, loan, before, "restructured", actor.username)
    uow.session.flush()
    cur = loan.currency
    current = engine.current_installment(uow, loan)
    due = engine.owed(loan, current)
    uow.audit(
        actor,
        "loan.restructure",
        "loan",
        loan_number,
        capitalised=minor_to_text(interest + penalty, cur),
        term_months=cmd.term_months,
        annual_rate=loan.annual_rate,
        reason=cmd.reason,
    )
    uow.publish(
        Event(
            "LoanRestructured",
            "loan",
            loan_number,
            {"capitalised": minor_to_text(interest + penalty, cur), "term_months": cmd.term_months},
        )
    )
    return RestructuringRead(
        loan_number=loan_number,
        capitalised_interest=minor_to_text(interest, cur),
        capitalised_penalty=minor_to_text(penalty, cur),
        entry_id=entry_id,
        outstanding_principal=minor_to_text(engine.outstanding_principal(uow, loan), cur),
        annual_rate=loan.annual_rate,
        term_months=cmd.term_months,
        schedule_version=loan.schedule_version,
        next_due_date=loan.next_due_date,
        next_payment=minor_to_text(due.current_interest + due.current_principal, cur),
        maturity_date=loan.maturity_date,
        classification=loan.classification,
        restructured=loan.restructured,
    )


# ---------------------------------------------------------------------------------------------- write-off


def write_off(
    uow: UnitOfWork, actor: Actor, loan_number: str, cmd: WriteOff, idempotency_key: str | None
) -> WriteOffRead:
    """Write off (核销) a loan classified doubtful or loss: its provision is topped up to the principal, the
    principal is charged against it, the interest receivable is reversed, and the loan stops accruing."""
    actor.require(P.LOAN_WORKOUT)

    def work() -> dict[str, Any]:
        return _write_off(uow, actor, loan_number, cmd).model_dump(mode="json")

    stored = idempotency.once(uow, f"loan.write_off:{loan_number}", idempotency_key, cmd.model_dump(), work)
    return WriteOffRead(**stored)


def _pair(legs: list[Leg], debit_gl: str, credit_gl: str, branch: str, minor: int, currency: str,
          memo: str, *, credit_account: int | None = None) -> None:  # fmt: skip
    """Dr `debit_gl` / Cr `credit_gl` for a positive amount, the other way round for a negative one."""
    if minor == 0:
        return
    m = Money.from_minor(abs(minor), currency)
    if minor > 0:
        legs.append(Leg.debit(debit_gl, branch, m, narrative=memo))
        legs.append(Leg.credit(credit_gl, branch, m, credit_account, memo))
    else:
        legs.append(Leg.debit(credit_gl, branch, m, credit_account, memo))
        legs.append(Leg.credit(debit_gl, branch, m, narrative=memo))


def _write_off(uow: UnitOfWork, actor: Actor, loan_number: str, cmd: WriteOff) -> WriteOffRead:
    loan = find_loan(uow, actor, loan_number)
    _active(loan)
    if loan.classification not in WRITE_OFF_CLASSES:
        raise WriteOffNotAllowed(
            f"loan {loan_number} is classified {loan.classification}: only a doubtful or loss loan is written off"
        )
    today = uow.business_date
    cur, branch = loan.currency, loan.branch_code
    principal = engine.outstanding_principal(uow, loan)
    receivable = engine.receivable(loan, engine.current_installment(uow, loan))
    held = loan.provision
    memo = f"loan {loan_number} written off"
    legs: list[Leg] = []
    _pair(legs, chart.IMPAIRMENT_LOSS, chart.LOAN_LOSS_PROVISION, branch, principal - held, cur, memo)
    _pair(legs, chart.LOAN_LOSS_PROVISION, chart.LOANS, branch, principal, cur, memo, credit_account=loan.id)
    _pair(legs, chart.INTEREST_INCOME, chart.INTEREST_RECEIVABLE, branch, receivable, cur, memo)
    entry_id = None
    if legs:
        entry_id = ledger.post(
            uow,
            EntryDraft("loan_write_off", tuple(legs), memo=memo, reference=loan_number),
            by=actor.username,
            channel=actor.channel,
        ).id
    uow.session.execute(
        update(LoanInstallment)
        .where(LoanInstallment.loan_id == loan.id, LoanInstallment.status.in_(("pending", "due")))
        .values(status="written_off")
    )
    loan.status = "written_off"
    loan.written_off_amount = principal
    loan.written_off_on = today
    loan.provision = 0
    loan.accrued_interest = 0
    loan.accrual_base = 0
    loan.period_interest = 0
    loan.next_due_date = None  # no current installment any more: nothing accrues, nothing is receivable
    loan.overdue_principal = 0
    loan.overdue_interest = 0
    loan.overdue_since = None
    loan.penalty_paid = loan.penalty_accrued
    uow.session.flush()
    uow.audit(
        actor,
        "loan.write_off",
        "loan",
        loan_number,
        principal=minor_to_text(principal, cur),
        interest_reversed=minor_to_text(receivable, cur),
        provision_held=minor_to_text(held, cur),
        classification=loan.classification,
        reason=cmd.reason,
    )
    uow.publish(Event("LoanWrittenOff", "loan", loan_number, {"principal": minor_to_text(principal, cur)}))
    return WriteOffRead(
        loan_number=loan_number,
        written_off_amount=minor_to_text(principal, cur),
        provision_used=minor_to_text(held, cur),
        provision_topped_up=minor_to_text(principal - held, cur),
        interest_reversed=minor_to_text(receivable, cur),
        entry_id=entry_id,
        written_off_on=today,
        status=loan.status,
    )


# ---------------------------------------------------------------------------------------------- recovery


def recover(
    uow: UnitOfWork, actor: Actor, loan_number: str, cmd: Recovery, idempotency_key: str | None
) -> RecoveryRead:
    """Book money collected on a written-off loan (核销后收回): Dr the source / Cr 6701 impairment loss, up to
    what is left written off."""
    actor.require(P.LOAN_WORKOUT)

    def work() -> dict[str, Any]:
        return _recover(uow, actor, loan_number, cmd).model_dump(mode="json")

    stored = idempotency.once(uow, f"loan.recover:{loan_number}", idempotency_key, cmd.model_dump(), work)
    return RecoveryRead(**stored)


def _recover(uow: UnitOfWork, actor: Actor, loan_number: str, cmd: Recovery) -> RecoveryRead:
    loan = find_loan(uow, actor, loan_number)
    if loan.status != "written_off":
        raise LoanStatusConflict(
            f"loan {loan_number} is {loan.status}: only a written-off loan takes recoveries"
        )
    cur = loan.currency
    amount = positive_amount(cmd.amount, cur)
    left = loan.written_off_amount - loan.recovered_amount
    if amount.to_minor() > left:
        raise RecoveryExceedsWrittenOff(
            f"{amount.text()} is more than the {minor_to_text(left, cur)} left written off on loan {loan_number}"
        )
    source = servicing.payment_source(uow, actor, loan, cmd.from_account, cmd.cash)
    memo = f"loan {loan_number} recovery after write-off"
    entry = ledger.post(
        uow,
        EntryDraft(
            "loan_recovery",
            (
                Leg.debit(source.gl_code, source.branch_code, amount, source.account_id, memo),
                Leg.credit(chart.IMPAIRMENT_LOSS, loan.branch_code, amount, narrative=memo),
            ),
            memo=memo,
            reference=loan_number,
        ),
        by=actor.username,
        channel=actor.channel,
    )
    loan.recovered_amount += amount.to_minor()
    row = engine.record(
        uow,
        loan,
        engine.Split(),
        kind="recovery",
        entry_id=entry.id,
        account_number=source.label,
        by=actor.username,
        recovery=amount.to_minor(),
    )
    uow.session.flush()
    uow.audit(actor, "loan.recover", "loan", loan_number, amount=amount.text(), source=source.label)
    uow.publish(Event("LoanRecovered", "loan", loan_number, {"amount": amount.text()}))
    return RecoveryRead(
        loan_number=loan_number,
        amount=amount.text(),
        source=source.label,
        entry_id=entry.id,
        booked_on=row.booked_on,
        recovered_amount=minor_to_text(loan.recovered_amount, cur),
        written_off_amount=minor_to_text(loan.written_off_amount, cur),
        status=loan.status,
    )
