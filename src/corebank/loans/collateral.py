"""Collateral (抵押物/质押物) and guarantors (保证人) of loans: register collateral with its valuation, revalue it,
pledge it to loan applications (one collateral may secure several loans, one loan may have several collaterals),
add guarantors, release, and the cover a loan's security gives for the approval's loan-to-value (LTV) check.

A pledge or guarantee is made on an application; when the application becomes a loan, the approval calls
`attach_to_loan` so that it secures the loan as well. LTV caps per collateral type are data: the defaults
(`DEFAULT_LTV_CAPS`, in `collateral_rules` with the other pure rules and exported here), which a loan product
overrides with `params["loan"]["ltv_caps"]` (type → decimal string fraction).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select, update

from corebank import customers, products
from corebank.db.sequences import next_number
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CurrencyMismatch, InvalidRequest, NotFound
from corebank.kernel.events import Event
from corebank.kernel.ids import with_luhn
from corebank.kernel.money import minor_to_text, positive_amount
from corebank.loans import collateral_store as store
from corebank.loans.collateral_errors import (
    CollateralInUse,
    CollateralNotFound,
    CollateralOverpledged,
    CollateralReleased,
    InvalidCollateral,
    InvalidGuarantor,
)
from corebank.loans.collateral_models import Collateral, CollateralPledge, CollateralValuation, LoanGuarantor
from corebank.loans.collateral_rules import (
    DEFAULT_LTV_CAPS,
    Cover,
    CoverLine,
    check_ltv,
    lendable,
    ltv_caps,
)
from corebank.loans.collateral_schemas import (
    COLLATERAL_TYPES,
    GUARANTEE_KINDS,
    ApplicationSecurity,
    CollateralCreate,
    CollateralDetail,
    CollateralPage,
    CollateralRead,
    CollateralRevalue,
    CoverLineRead,
    GuarantorCreate,
    GuarantorRead,
    PledgeCreate,
    PledgeRead,
)
from corebank.loans.errors import ApplicationNotFound, LoanNotFound
from corebank.loans.models import Loan, LoanApplication
from corebank.security import Actor, P

# The LTV rules live in collateral_rules; they are part of this module's surface for the approval's code.
__all__ = [
    "DEFAULT_LTV_CAPS",
    "Cover",
    "CoverLine",
    "add_guarantor",
    "application_security",
    "attach_to_loan",
    "check_ltv",
    "cover_for_application",
    "cover_for_loan",
    "get_collateral",
    "lendable",
    "list_collateral",
    "ltv_caps",
    "pledge",
    "register_collateral",
    "release_collateral",
    "release_guarantor",
    "release_pledge",
    "revalue_collateral",
]
COLLATERAL_SEQUENCE = "collateral"
ATTACH_ACTOR = "system"


# ---------------------------------------------------------------------------------------------------- cover


def _cover(
    uow: UnitOfWork,
    pledge_filter: ColumnElement[bool],
    guarantee_filter: ColumnElement[bool],
    caps: Mapping[str, Decimal | str] | None,
    currency: str,
) -> Cover:
    table = ltv_caps(caps)
    rows = uow.session.execute(
        select(
            Collateral.id,
            Collateral.collateral_number,
            Collateral.type,
            Collateral.value,
            CollateralPledge.pledged_amount,
        )
        .select_from(CollateralPledge)
        .join(Collateral, Collateral.id == CollateralPledge.collateral_id)
        .where(pledge_filter, CollateralPledge.status == "active")
        .order_by(CollateralPledge.id)
    ).all()
    totals = store.pledged_totals(uow, (r.id for r in rows))
    lines = []
    for r in rows:
        pledged = r.pledged_amount
        total = totals.get(r.id, 0)
        if total > r.value:
            # A revaluation left the collateral worth less than its pledges together: each loan relies on its
            # share of what it is worth now, rounded down so that the shares never add up to more.
            pledged = pledged * max(r.value, 0) // total
        cap = table[r.type]
        lines.append(CoverLine(r.collateral_number, r.type, pledged, cap, lendable(pledged, cap)))
    guaranteed = uow.session.execute(
        select(func.coalesce(func.sum(LoanGuarantor.guaranteed_amount), 0)).where(
            guarantee_filter, LoanGuarantor.status == "active"
        )
    ).scalar()
    return Cover(
        collateral_value=sum(line.pledged for line in lines),
        lendable_value=sum(line.lendable for line in lines),
        guaranteed=int(guaranteed or 0),
        lines=tuple(lines),
        currency=currency,
    )


def cover_for_application(
    uow: UnitOfWork, application_id: int, caps: Mapping[str, Decimal | str] | None = None
) -> Cover:
    """The cover of an application's active pledges and guarantees, at `caps` (a product's, over the defaults)."""
    app = uow.session.get(LoanApplication, application_id)
    if app is None:
        raise ApplicationNotFound(f"no loan application {application_id}")
    return _cover(
        uow,
        CollateralPledge.application_id == application_id,
        LoanGuarantor.application_id == application_id,
        caps,
        app.currency,
    )


def cover_for_loan(uow: UnitOfWork, loan_id: int, caps: Mapping[str, Decimal | str] | None = None) -> Cover:
    """The cover of a loan's active pledges and guarantees, at `caps` (a product's, over the defaults)."""
    loan = uow.session.get(Loan, loan_id)
    if loan is None:
        raise LoanNotFound(f"no loan with id {loan_id}")
    return _cover(
        uow, CollateralPledge.loan_id == loan_id, LoanGuarantor.loan_id == loan_id, caps, loan.currency
    )


def attach_to_loan(uow: UnitOfWork, application_id: int, loan_id: int) -> None:
    """Make an application's active pledges and guarantees secure the loan made from it (called by the
    approval, in its transaction, once the loan row exists)."""
    pledges = uow.session.execute(
        update(CollateralPledge)
        .where(CollateralPledge.application_id == application_id, CollateralPledge.status == "active")
        .values(loan_id=loan_id)
    )
    guarantees = uow.session.execute(
        update(LoanGuarantor)
        .where(LoanGuarantor.application_id == application_id, LoanGuarantor.status == "active")
        .values(loan_id=loan_id)
    )
    n_pledges, n_guarantees = pledges.rowcount, guarantees.rowcount  # type: ignore[attr-defined]
    if n_pledges or n_guarantees:
        uow.audit(
            ATTACH_ACTOR,
            "loan_security.attach",
            "loan_application",
            application_id,
            loan_id=loan_id,
            pledges=n_pledges,
            guarantors=n_guarantees,
        )


# ---------------------------------------------------------------------------------------------------- reading


def get_collateral(uow: UnitOfWork, actor: Actor, collateral_number: str) -> CollateralDetail:
    """A collateral with its valuation history and the applications and loans it secures or secured."""
    actor.require(P.LOAN_READ)
    return store.detail(uow, store.find(uow, actor, collateral_number))


def list_collateral(
    uow: UnitOfWork,
    actor: Actor,
    owner: str | None = None,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> CollateralPage:
    """Collateral in the actor's branch scope, of one owner (customer number) or all, oldest first; follow
    `next_cursor`."""
    actor.require(P.LOAN_READ)
    q = select(Collateral)
    if owner:
        q = q.where(
            Collateral.owner_customer_id == customers.customer_ref(uow, owner, must_be_active=False).id
        )
    if actor.branches is not None:
        q = q.where(Collateral.branch_code.in_(actor.branches))
    if cursor:
        if not cursor.isdigit():
            raise InvalidRequest("cursor is not one this API gave out")
        q = q.where(Collateral.id > int(cursor))
    limit = max(1, min(limit, 200))
    rows = list(uow.session.execute(q.order_by(Collateral.id).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return CollateralPage(
        items=store.reads(uow, rows), next_cursor=str(rows[-1].id) if more and rows else None
    )


def application_security(uow: UnitOfWork, actor: Actor, application_id: int) -> ApplicationSecurity:
    """What secures a loan application: its pledges and guarantors (released ones too) and the cover the active
    ones give at the product's LTV caps."""
    actor.require(P.LOAN_READ)
    app = store.application(uow, actor, application_id)
    cover = cover_for_application(uow, application_id, products.loan_product(uow, app.product_code).ltv_caps)
    pledges = list(
        uow.session.execute(
            select(CollateralPledge)
            .where(CollateralPledge.application_id == application_id)
            .order_by(CollateralPledge.id)
        ).scalars()
    )
    guarantors = list(
        uow.session.execute(
            select(LoanGuarantor)
            .where(LoanGuarantor.application_id == application_id)
            .order_by(LoanGuarantor.id)
        ).scalars()
    )

    def text(minor: int) -> str:
        return minor_to_text(minor, app.currency)

    return ApplicationSecurity(
        application_id=app.id,
        loan_id=app.loan_id,
        currency=app.currency,
        amount=text(app.amount),
        collateral_value=text(cover.collateral_value),
        lendable_value=text(cover.lendable_value),
        guaranteed=text(cover.guaranteed),
        lines=[
            CoverLineRead(
                collateral_number=line.collateral_number,
                type=line.type,
                pledged=text(line.pledged),
                cap=str(line.cap),
                lendable=text(line.lendable),
            )
            for line in cover.lines
        ],
        pledges=store.pledge_reads(uow, pledges),
        guarantors=store.guarantor_reads(uow, guarantors, app.currency),
    )


# ---------------------------------------------------------------------------------------------------- register


def register_collateral(uow: UnitOfWork, actor: Actor, cmd: CollateralCreate) -> CollateralRead:
    """Register a collateral at the actor's branch with its first valuation; the owner may be any active
    customer (a third party's mortgage is allowed). Its number: branch, "41", a 9-digit serial, Luhn digit."""
    actor.require(P.LOAN_ASSESS)
    if cmd.type not in DEFAULT_LTV_CAPS:
        raise InvalidCollateral(f"collateral type {cmd.type!r} is not one of {', '.join(COLLATERAL_TYPES)}")
    value = positive_amount(cmd.value, cmd.currency)
    store.check_valuation_date(uow, cmd.valuation_date, None)
    owner = customers.customer_ref(uow, cmd.owner_customer_number)
    today = uow.business_date
    number = with_luhn(f"{actor.branch_code}41{next_number(uow, COLLATERAL_SEQUENCE, start=100001):09d}")
    c = Collateral(
        collateral_number=number,
        type=cmd.type,
        description=cmd.description.strip(),
        owner_customer_id=owner.id,
        currency=cmd.currency,
        value=value.to_minor(),
        valuation_date=cmd.valuation_date,
        status="active",
        branch_code=actor.branch_code,
        registered_by=actor.username,
        registered_on=today,
        released_on=None,
    )
    uow.session.add(c)
    uow.session.flush()
    uow.session.add(
        CollateralValuation(
            collateral_id=c.id,
            value=c.value,
            valuation_date=cmd.valuation_date,
            valuer=cmd.valuer.strip(),
            note=cmd.note,
            created_by=actor.username,
            created_at=uow.now,
        )
    )
    uow.audit(
        actor,
        "collateral.register",
        "collateral",
        number,
        type=cmd.type,
        owner=owner.number,
        value=value.text(),
        currency=cmd.currency,
        valuation_date=cmd.valuation_date.isoformat(),
        valuer=cmd.valuer,
    )
    uow.publish(
        Event(
            "CollateralRegistered",
            "collateral",
            number,
            {"type": cmd.type, "owner": owner.number, "value": c.value, "currency": c.currency},
        )
    )
    return store.reads(uow, [c])[0]


def revalue_collateral(
    uow: UnitOfWork, actor: Actor, collateral_number: str, cmd: CollateralRevalue
) -> CollateralDetail:
    """Record a new valuation (the history keeps every one) and make it the collateral's value. A value below
    what is pledged is recorded all the same: the cover of the loans it secures shrinks in proportion."""
    actor.require(P.LOAN_ASSESS)
    c = store.find(uow, actor, collateral_number, for_update=True)
    if c.status != "active":
        raise CollateralReleased(f"collateral {collateral_number} was released on {c.released_on}")
    value = positive_amount(cmd.value, c.currency)
    store.check_valuation_date(uow, cmd.valuation_date, c.valuation_date)
    old = c.value
    c.value, c.valuation_date = value.to_minor(), cmd.valuation_date
    uow.session.add(
        CollateralValuation(
            collateral_id=c.id,
            value=c.value,
            valuation_date=cmd.valuation_date,
            valuer=cmd.valuer.strip(),
            note=cmd.note,
            created_by=actor.username,
            created_at=uow.now,
        )
    )
    pledged = store.pledged_totals(uow, [c.id]).get(c.id, 0)
    uow.audit(
        actor,
        "collateral.revalue",
        "collateral",
        collateral_number,
        old=minor_to_text(old, c.currency),
        new=value.text(),
        valuation_date=cmd.valuation_date.isoformat(),
        valuer=cmd.valuer,
        pledged=minor_to_text(pledged, c.currency),
    )
    uow.publish(
        Event(
            "CollateralRevalued",
            "collateral",
            collateral_number,
            {"old": old, "new": c.value, "pledged": pledged, "currency": c.currency},
        )
    )
    return store.detail(uow, c)


# ---------------------------------------------------------------------------------------------------- pledges


def pledge(uow: UnitOfWork, actor: Actor, application_id: int, cmd: PledgeCreate) -> PledgeRead:
    """Pledge a collateral to a submitted or scored application, for `pledged_amount` of its value (default the
    whole value). The active pledges on a collateral may not add up to more than its value."""
    actor.require(P.LOAN_ASSESS)
    app = store.application(uow, actor, application_id)
    store.ensure_open(app)
    # Locking the collateral row serializes pledges on it, so two at once cannot both fit in its value.
    c = store.find(uow, actor, cmd.collateral_number, for_update=True)
    if c.status != "active":
        raise CollateralReleased(f"collateral {c.collateral_number} was released on {c.released_on}")
    if c.currency != app.currency:
        raise CurrencyMismatch(
            f"collateral {c.collateral_number} is valued in {c.currency}, the application is in {app.currency}"
        )
    twice = uow.session.execute(
        select(CollateralPledge.id).where(
            CollateralPledge.collateral_id == c.id,
            CollateralPledge.application_id == app.id,
            CollateralPledge.status == "active",
        )
    ).first()
    if twice is not None:
        raise InvalidCollateral(
            f"collateral {c.collateral_number} is pledged to application {app.id} already"
        )
    amount = positive_amount(cmd.pledged_amount, c.currency).to_minor() if cmd.pledged_amount else c.value
    pledged = store.pledged_totals(uow, [c.id]).get(c.id, 0)
    if pledged + amount > c.value:
        raise CollateralOverpledged(
            f"collateral {c.collateral_number} is worth {minor_to_text(c.value, c.currency)} {c.currency} and "
            f"{minor_to_text(pledged, c.currency)} of it is pledged already: at most "
            f"{minor_to_text(max(c.value - pledged, 0), c.currency)} more can be pledged"
        )
    p = CollateralPledge(
        collateral_id=c.id,
        application_id=app.id,
        loan_id=app.loan_id,
        pledged_amount=amount,
        status="active",
        created_by=actor.username,
        created_on=uow.business_date,
        released_on=None,
    )
    uow.session.add(p)
    uow.session.flush()
    uow.audit(
        actor,
        "collateral.pledge",
        "collateral",
        c.collateral_number,
        pledge=p.id,
        application=app.id,
        amount=minor_to_text(amount, c.currency),
    )
    return store.pledge_reads(uow, [p])[0]


def release_pledge(uow: UnitOfWork, actor: Actor, application_id: int, pledge_id: int) -> PledgeRead:
    """Release one pledge of an application. A pledge securing a contracted or active loan stays
    (COLLATERAL_IN_USE); releasing a released pledge changes nothing."""
    actor.require(P.LOAN_ASSESS)
    app = store.application(uow, actor, application_id)
    p = uow.session.execute(
        select(CollateralPledge).where(CollateralPledge.id == pledge_id).with_for_update()
    ).scalar()
    if p is None or p.application_id != app.id:
        raise CollateralNotFound(f"loan application {app.id} has no pledge {pledge_id}")
    if p.status == "active":
        if store.loan_is_live(uow, p.loan_id):
            loan_number = store.pledge_reads(uow, [p])[0].loan_number
            raise CollateralInUse(
                f"pledge {pledge_id} secures loan {loan_number}, which is contracted or active"
            )
        p.status, p.released_on = "released", uow.business_date
        number = store.pledge_reads(uow, [p])[0].collateral_number
        uow.audit(actor, "collateral.pledge_release", "collateral", number, pledge=p.id, application=app.id)
    return store.pledge_reads(uow, [p])[0]


def release_collateral(uow: UnitOfWork, actor: Actor, collateral_number: str) -> CollateralRead:
    """Release a collateral (解押) and whatever pledges it still has, unless one secures a contracted or active
    loan (COLLATERAL_IN_USE)."""
    actor.require(P.LOAN_ASSESS)
    c = store.find(uow, actor, collateral_number, for_update=True)
    if c.status != "active":
        raise CollateralReleased(f"collateral {collateral_number} was released on {c.released_on}")
    active = list(
        uow.session.execute(
            select(CollateralPledge)
            .where(CollateralPledge.collateral_id == c.id, CollateralPledge.status == "active")
            .order_by(CollateralPledge.id)
        ).scalars()
    )
    loan_ids = sorted({p.loan_id for p in active if p.loan_id is not None})
    if loan_ids:
        live = list(
            uow.session.execute(
                select(Loan.loan_number).where(Loan.id.in_(loan_ids), Loan.status.in_(store.LIVE_LOAN))
            ).scalars()
        )
        if live:
            raise CollateralInUse(f"collateral {collateral_number} secures loan {', '.join(live)}")
    today = uow.business_date
    for p in active:
        p.status, p.released_on = "released", today
    c.status, c.released_on = "released", today
    uow.audit(
        actor, "collateral.release", "collateral", collateral_number, pledges_released=[p.id for p in active]
    )
    uow.publish(Event("CollateralReleased", "collateral", collateral_number, {"pledges": len(active)}))
    return store.reads(uow, [c])[0]


# ---------------------------------------------------------------------------------------------------- guarantors


def add_guarantor(uow: UnitOfWork, actor: Actor, application_id: int, cmd: GuarantorCreate) -> GuarantorRead:
    """Add a guarantor to a submitted or scored application, for up to the amount applied for. The borrower
    cannot guarantee their own loan, nor one customer guarantee it twice."""
    actor.require(P.LOAN_ASSESS)
    app = store.application(uow, actor, application_id)
    store.ensure_open(app)
    if cmd.kind not in GUARANTEE_KINDS:
        raise InvalidGuarantor(f"guarantee kind {cmd.kind!r} is not one of {', '.join(GUARANTEE_KINDS)}")
    guarantor = customers.customer_ref(uow, cmd.customer_number)
    if guarantor.id == app.customer_id:
        raise InvalidGuarantor(f"customer {guarantor.number} is the borrower and cannot guarantee the loan")
    twice = uow.session.execute(
        select(LoanGuarantor.id).where(
            LoanGuarantor.application_id == app.id,
            LoanGuarantor.guarantor_customer_id == guarantor.id,
            LoanGuarantor.status == "active",
        )
    ).first()
    if twice is not None:
        raise InvalidGuarantor(f"customer {guarantor.number} guarantees application {app.id} already")
    amount = positive_amount(cmd.guaranteed_amount, app.currency).to_minor()
    if amount > app.amount:
        raise InvalidGuarantor(
            f"the guarantee {minor_to_text(amount, app.currency)} is more than the "
            f"{minor_to_text(app.amount, app.currency)} {app.currency} applied for"
        )
    g = LoanGuarantor(
        application_id=app.id,
        loan_id=app.loan_id,
        guarantor_customer_id=guarantor.id,
        guaranteed_amount=amount,
        kind=cmd.kind,
        status="active",
        created_by=actor.username,
        created_on=uow.business_date,
        released_on=None,
    )
    uow.session.add(g)
    uow.session.flush()
    uow.audit(
        actor,
        "loan_guarantor.add",
        "loan_application",
        app.id,
        guarantor_id=g.id,
        guarantor=guarantor.number,
        amount=minor_to_text(amount, app.currency),
        kind=cmd.kind,
    )
    return store.guarantor_reads(uow, [g], app.currency)[0]


def release_guarantor(uow: UnitOfWork, actor: Actor, application_id: int, guarantor_id: int) -> GuarantorRead:
    """Take a guarantor off an application still being prepared (submitted or scored); once decided, a
    guarantee is part of the loan and stays."""
    actor.require(P.LOAN_ASSESS)
    app = store.application(uow, actor, application_id)
    g = uow.session.get(LoanGuarantor, guarantor_id)
    if g is None or g.application_id != app.id:
        raise NotFound(f"loan application {app.id} has no guarantor {guarantor_id}")
    if g.status == "active":
        store.ensure_open(app)
        g.status, g.released_on = "released", uow.business_date
        uow.audit(actor, "loan_guarantor.release", "loan_application", app.id, guarantor_id=g.id)
    return store.guarantor_reads(uow, [g], app.currency)[0]
