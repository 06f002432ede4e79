"""Sweep agreements (the 双利丰 kind): the customer keeps a retained balance (at least CNY 5,000 by default,
`Settings.sweep_min_retained_balance`) in a Type I demand account; end of day sweeps the whole yuan above it
into a new 7-day notice deposit when that reaches the notice product's minimum; a debit the demand balance
cannot cover draws swept deposits back first, newest first.

A swept deposit rolls over by itself: it needs no notice, and earns the 7-day rate posted on the day it is
drawn back for the days held once held 7 days or more, else the demand rate (`notice_rules.plan_withdrawal`).
Interest is booked when drawn back (Dr 6411, Cr the demand account), never accrued. A swept deposit is opened
at the end of day of the sweep date D with interest from D + 1: the demand account already earned D's interest
on its closing balance, so no day counts twice.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update

from corebank import accounts, customers, ledger, products
from corebank.db import idempotency
from corebank.db.batch import BatchStep
from corebank.db.uow import UnitOfWork
from corebank.deposits import notice
from corebank.deposits import notice_rules as rules
from corebank.deposits.notice_errors import (
    NotANoticeProduct,
    RetainedBalanceTooLow,
    SweepAgreementActive,
    SweepAgreementExists,
    SweepAgreementNotActive,
    SweepAgreementNotFound,
    SweepNeedsTypeIAccount,
)
from corebank.deposits.notice_models import NoticeDeposit, SweepAgreement
from corebank.deposits.notice_schemas import SweepAgreementCreate, SweepAgreementRead, SweepCancelRead
from corebank.kernel.errors import CurrencyMismatch
from corebank.kernel.events import Event
from corebank.kernel.money import Money, minor_to_text
from corebank.ledger import EntryDraft, Leg, chart
from corebank.security import SYSTEM, Actor, P

# The notice product a sweep uses when the agreement names none, by customer type.
DEFAULT_SWEEP_PRODUCT = {"individual": "NOTICE_CNY", "corporate": "CORP_NOTICE_CNY"}
_DEMAND_GL = {chart.DEMAND_DEPOSITS, chart.CORPORATE_DEPOSITS}


def _min_retained(uow: UnitOfWork, currency: str) -> int:
    return Money.of(Decimal(uow.settings.sweep_min_retained_balance), currency).to_minor()


def _swept_deposits(uow: UnitOfWork, agreement_id: int) -> list[NoticeDeposit]:
    """The agreement's active swept deposits, newest first (the order they are drawn back in)."""
    return list(
        uow.session.execute(
            select(NoticeDeposit)
            .where(NoticeDeposit.sweep_agreement_id == agreement_id, NoticeDeposit.status == "active")
            .order_by(NoticeDeposit.interest_from.desc(), NoticeDeposit.id.desc())
        ).scalars()
    )


def _read(uow: UnitOfWork, ag: SweepAgreement) -> SweepAgreementRead:
    deps = _swept_deposits(uow, ag.id)
    bals = ledger.balances(uow, [d.id for d in deps])
    cust = customers.customer_names(uow, [ag.customer_id]).get(ag.customer_id, ("", ""))
    return SweepAgreementRead(
        id=ag.id,
        account=ag.account_number,
        customer_number=cust[0],
        retained_balance=minor_to_text(ag.retained_balance, ag.currency),
        currency=ag.currency,
        notice_product_code=ag.notice_product_code,
        status=ag.status,
        signed_on=ag.signed_on,
        last_swept_on=ag.last_swept_on,
        cancelled_on=ag.cancelled_on,
        swept_balance=minor_to_text(sum(b.balance for b in bals.values()), ag.currency),
        deposits=[d.number for d in deps],
    )


def _load(uow: UnitOfWork, actor: Actor, agreement_id: int) -> SweepAgreement:
    ag = uow.session.get(SweepAgreement, agreement_id)
    if ag is None:
        raise SweepAgreementNotFound(f"no sweep agreement {agreement_id}")
    actor.require_branch(ag.branch_code)
    return ag


def sign_agreement(uow: UnitOfWork, actor: Actor, cmd: SweepAgreementCreate) -> SweepAgreementRead:
    """Sign a sweep agreement (签约双利丰) on an open Type I demand account, keeping `retained_balance` (the
    bank's minimum when omitted; a smaller one: SWEEP_RETAINED_BALANCE_TOO_LOW). One active agreement per
    account. Nothing moves until end of day sweeps."""
    actor.require(P.DEPOSIT_OPERATE)
    acc = accounts.load_for_posting(uow, [cmd.account])[cmd.account]
    actor.require_branch(acc.branch_code)
    if acc.account_class != 1 or acc.status != "active" or acc.gl_code not in _DEMAND_GL:
        raise SweepNeedsTypeIAccount(f"account {acc.number} is not an open Type I demand account")
    minimum = _min_retained(uow, acc.currency)
    retained = (
        minimum if cmd.retained_balance is None else Money.of(cmd.retained_balance, acc.currency).to_minor()
    )
    if retained < minimum:
        raise RetainedBalanceTooLow(
            f"the retained balance is at least {minor_to_text(minimum, acc.currency)} {acc.currency}"
        )
    cust = customers.customer_ref(uow, customers.customer_names(uow, [acc.customer_id])[acc.customer_id][0])
    code = cmd.notice_product_code or DEFAULT_SWEEP_PRODUCT.get(cust.type, "")
    product = notice.notice_product(uow, code, cust.type)
    if rules.SWEEP_TERM not in product.terms:
        raise NotANoticeProduct(f"product {code} offers no {rules.SWEEP_TERM} term to sweep into")
    if product.currency != acc.currency:
        raise CurrencyMismatch(f"product {code} is in {product.currency}, the account in {acc.currency}")
    taken = uow.session.execute(
        select(SweepAgreement.id).where(SweepAgreement.active_account_id == acc.id)
    ).scalar()
    if taken is not None:
        raise SweepAgreementExists(f"account {acc.number} has active sweep agreement {taken}")
    ag = SweepAgreement(
        account_id=acc.id,
        active_account_id=acc.id,
        account_number=acc.number,
        customer_id=acc.customer_id,
        branch_code=acc.branch_code,
        currency=acc.currency,
        notice_product_code=product.code,
        retained_balance=retained,
        status="active",
        signed_on=uow.business_date,
        signed_by=actor.username,
        last_swept_on=None,
        cancelled_on=None,
        cancelled_by=None,
    )
    uow.session.add(ag)
    uow.session.flush()
    uow.audit(
        actor,
        "sweep.sign",
        "sweep_agreement",
        ag.id,
        account=acc.number,
        retained=minor_to_text(retained, acc.currency),
        product=product.code,
    )
    uow.publish(Event("SweepAgreementSigned", "sweep_agreement", str(ag.id), {"account": acc.number}))
    return _read(uow, ag)


def get_agreement(uow: UnitOfWork, actor: Actor, agreement_id: int) -> SweepAgreementRead:
    """A sweep agreement with its swept balance and deposits."""
    actor.require(P.ACCOUNT_READ)
    return _read(uow, _load(uow, actor, agreement_id))


def _draw(
    uow: UnitOfWork, ag: SweepAgreement, needed: int | None, by: str, kind: str
) -> tuple[int, int, list[str]]:
    """Draw swept deposits back into the demand account, newest first: `needed` minor units of principal, or
    everything when None. Return (principal, interest, deposit numbers touched)."""
    deps = _swept_deposits(uow, ag.id)
    if not deps:
        return 0, 0, []
    bals = ledger.balances(uow, [ag.account_id, *[d.id for d in deps]])
    demand = bals[ag.account_id]
    to = notice.Receiver(demand.gl_code, demand.branch_code, ag.account_id, ag.account_number)
    product_cache: dict[str, products.DepositProduct] = {}
    principal = interest = 0
    touched = []
    for dep in deps:
        if needed is not None and principal >= needed:
            break
        bal = bals[dep.id].balance
        take = bal if needed is None else min(bal, needed - principal)
        if take <= 0:
            continue
        product = product_cache.get(dep.product_code) or products.deposit_product(uow, dep.product_code)
        product_cache[dep.product_code] = product
        paid = notice.pay_out(
            uow, dep, product, amount=take, balance=bal, notice=None, to=to, by=by, kind=kind
        )
        principal += paid.principal
        interest += paid.interest
        touched.append(dep.number)
    return principal, interest, touched


def swept_reserve(uow: UnitOfWork, account_id: int) -> int:
    """What the account's active swept deposits hold now: what a debit could bring back (minor units,
    principal only: their interest comes on top when drawn)."""
    ag = uow.session.execute(
        select(SweepAgreement.id).where(SweepAgreement.active_account_id == account_id)
    ).scalar()
    if ag is None:
        return 0
    ids = [d.id for d in _swept_deposits(uow, ag)]
    return sum(b.balance for b in ledger.balances(uow, ids).values())


def refuse_close_under_agreement(uow: UnitOfWork, account_id: int, by: str) -> int:
    """A demand account under a sweep agreement does not close: the agreement is cancelled first (which draws
    every swept deposit back), so no swept money is left behind a closed account."""
    ag = uow.session.execute(
        select(SweepAgreement.id).where(SweepAgreement.active_account_id == account_id)
    ).scalar()
    if ag is not None:
        raise SweepAgreementActive(f"cancel sweep agreement {ag} before closing the account")
    return 0


def draw_back(uow: UnitOfWork, account_id: int, needed: int, by: str) -> int:
    """Bring up to `needed` minor units back from the account's swept notice deposits, newest first, before a
    debit its demand balance cannot cover (the accounts area calls this through `accounts.cover_shortfall`, in
    the debit's own transaction). Each part drawn is paid with its interest: the 7-day rate posted today when
    held 7 days or more, else the demand rate. A swept deposit may be drawn back in part whatever is left,
    below the product's 50,000 minimum too: the sweep agreement the customer signed governs swept money, not the
    counter rules. Return what was credited to the demand account (principal and interest), 0 without an
    active agreement."""
    ag = uow.session.execute(
        select(SweepAgreement).where(SweepAgreement.active_account_id == account_id)
    ).scalar()
    if ag is None or needed <= 0:
        return 0
    principal, interest, touched = _draw(uow, ag, needed, by, "draw_back")
    if principal:
        uow.audit(
            by,
            "sweep.draw_back",
            "sweep_agreement",
            ag.id,
            account=ag.account_number,
            principal=minor_to_text(principal, ag.currency),
            interest=minor_to_text(interest, ag.currency),
            deposits=touched,
        )
    return principal + interest


def cancel_agreement(
    uow: UnitOfWork, actor: Actor, agreement_id: int, idempotency_key: str | None
) -> SweepCancelRead:
    """Cancel a sweep agreement (解约): every swept deposit is drawn back to the demand account with its
    interest, then the agreement ends. Idempotent by key (it moves money)."""
    actor.require(P.DEPOSIT_OPERATE)

    def work() -> dict[str, Any]:
        ag = _load(uow, actor, agreement_id)
        if ag.status != "active":
            raise SweepAgreementNotActive(f"sweep agreement {agreement_id} is {ag.status}")
        principal, interest, touched = _draw(uow, ag, None, actor.username, "sweep_cancel")
        ag.status, ag.active_account_id = "cancelled", None
        ag.cancelled_on, ag.cancelled_by = uow.business_date, actor.username
        uow.session.flush()
        uow.audit(
            actor,
            "sweep.cancel",
            "sweep_agreement",
            ag.id,
            account=ag.account_number,
            principal=minor_to_text(principal, ag.currency),
            interest=minor_to_text(interest, ag.currency),
            deposits=touched,
        )
        uow.publish(Event("SweepAgreementCancelled", "sweep_agreement", str(ag.id), {"principal": principal}))
        return SweepCancelRead(
            agreement=_read(uow, ag),
            drawn_back=minor_to_text(principal, ag.currency),
            interest=minor_to_text(interest, ag.currency),
        ).model_dump(mode="json")

    body = {"agreement": agreement_id}
    stored = idempotency.once(uow, f"sweep.cancel:{actor.username}", idempotency_key, body, work)
    return SweepCancelRead(**stored)


# ---------------------------------------------------------------- end of day


def highest_agreement(uow: UnitOfWork, day: date) -> int:
    """The highest sweep agreement id (the chunked step's upper bound)."""
    return int(uow.conn.execute(select(func.max(SweepAgreement.id))).scalar() or 0)


def sweep_to_notice(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """End of day, after the demand interest accrual, for agreements with ids in (lo, hi]: sweep the whole
    yuan above each retained balance into a new swept 7-day notice deposit when it reaches the product's
    minimum. Each agreement records the day it was swept (in this transaction), so running the chunk again for
    the same day does nothing twice. Return how many deposits were opened."""
    ags = list(
        uow.session.execute(
            select(SweepAgreement)
            .where(
                SweepAgreement.id > lo,
                SweepAgreement.id <= hi,
                SweepAgreement.status == "active",
                (SweepAgreement.last_swept_on.is_(None)) | (SweepAgreement.last_swept_on < day),
            )
            .order_by(SweepAgreement.id)
        ).scalars()
    )
    if not ags:
        return 0
    posting = accounts.load_for_posting(uow, sorted({a.account_number for a in ags}))
    bals = ledger.balances(uow, [a.account_id for a in ags])
    product_cache: dict[str, products.DepositProduct] = {}
    opened = 0
    for ag in ags:
        acc, bal = posting[ag.account_number], bals[ag.account_id]
        if acc.status != "active" or acc.debit_blocked or not bal.allow_decrease:
            continue
        product = product_cache.get(ag.notice_product_code) or products.deposit_product(
            uow, ag.notice_product_code
        )
        product_cache[product.code] = product
        excess = rules.sweep_excess(bal.balance - bal.held, ag.retained_balance, product.min_opening_amount)
        if excess <= 0:
            continue
        amount = Money.from_minor(excess, ag.currency)
        dep = notice.create_deposit(
            uow,
            customer_id=ag.customer_id,
            product=product,
            term=rules.SWEEP_TERM,
            branch_code=ag.branch_code,
            principal=excess,
            opened_by=SYSTEM.username,
            interest_from=day + timedelta(days=1),
            swept=True,
            agreement_id=ag.id,
            source_account_id=ag.account_id,
        )
        entry = ledger.post(
            uow,
            EntryDraft(
                "sweep_to_notice",
                (
                    Leg.debit(acc.gl_code, acc.branch_code, amount, acc.id, f"swept to {dep.number}"),
                    Leg.credit(product.gl_code, ag.branch_code, amount, dep.id, f"swept from {acc.number}"),
                ),
                memo=f"sweep above {minor_to_text(ag.retained_balance, ag.currency)} to 7-day notice",
            ),
            by=SYSTEM.username,
            channel="system",
        )
        uow.audit(
            SYSTEM,
            "sweep.to_notice",
            "sweep_agreement",
            ag.id,
            account=ag.account_number,
            deposit=dep.number,
            amount=amount.text(),
            entry=entry.id,
        )
        opened += 1
    uow.session.execute(
        update(SweepAgreement).where(SweepAgreement.id.in_([a.id for a in ags])).values(last_swept_on=day)
    )
    return opened


EOD_STEPS: tuple[BatchStep, ...] = (
    BatchStep(
        "deposits.sweep_to_notice",
        "Sweeps: demand excess to 7-day notice deposits",
        chunk=sweep_to_notice,
        upper_bound=highest_agreement,
        chunk_size=10_000,
    ),
)
