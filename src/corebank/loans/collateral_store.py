"""Collateral storage helpers: finding collateral and applications in the actor's scope, and building the read
models (collateral, pledges, guarantors) with set-based lookups rather than one query per row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select

from corebank import customers
from corebank.db.uow import UnitOfWork
from corebank.kernel.money import minor_to_text
from corebank.loans.collateral_errors import CollateralNotFound, InvalidCollateral
from corebank.loans.collateral_models import Collateral, CollateralPledge, CollateralValuation, LoanGuarantor
from corebank.loans.collateral_schemas import (
    CollateralDetail,
    CollateralRead,
    GuarantorRead,
    PledgeRead,
    ValuationRead,
)
from corebank.loans.errors import ApplicationClosed, ApplicationNotFound
from corebank.loans.models import Loan, LoanApplication
from corebank.security import Actor

OPEN_APPLICATION = ("submitted", "scored")
LIVE_LOAN = ("contracted", "active")


def pledged_totals(uow: UnitOfWork, collateral_ids: Iterable[int]) -> dict[int, int]:
    """Σ active pledged amount per collateral."""
    ids = sorted(set(collateral_ids))
    if not ids:
        return {}
    rows = uow.session.execute(
        select(CollateralPledge.collateral_id, func.sum(CollateralPledge.pledged_amount))
        .where(CollateralPledge.collateral_id.in_(ids), CollateralPledge.status == "active")
        .group_by(CollateralPledge.collateral_id)
    ).all()
    return {int(r[0]): int(r[1] or 0) for r in rows}


# ---------------------------------------------------------------------------------------------------- loading


def find(uow: UnitOfWork, actor: Actor, number: str, *, for_update: bool = False) -> Collateral:
    """The collateral with `number` in the actor's branch scope (locked when `for_update`)."""
    q = select(Collateral).where(Collateral.collateral_number == number)
    c = uow.session.execute(q.with_for_update() if for_update else q).scalar()
    if c is None:
        raise CollateralNotFound(f"no collateral {number}")
    actor.require_branch(c.branch_code)
    return c


def application(uow: UnitOfWork, actor: Actor, application_id: int) -> LoanApplication:
    """The loan application with `application_id` in the actor's branch scope."""
    app = uow.session.get(LoanApplication, application_id)
    if app is None:
        raise ApplicationNotFound(f"no loan application {application_id}")
    actor.require_branch(app.branch_code)
    return app


def ensure_open(app: LoanApplication) -> None:
    """Refuse with APPLICATION_CLOSED unless the application is still submitted or scored."""
    if app.status not in OPEN_APPLICATION:
        raise ApplicationClosed(
            f"loan application {app.id} is {app.status}; its security can no longer change"
        )


def check_valuation_date(uow: UnitOfWork, day: date, current: date | None) -> None:
    """A valuation date is not after the business date, nor before the `current` valuation's."""
    if day > uow.business_date:
        raise InvalidCollateral(f"the valuation date {day} is after the business date {uow.business_date}")
    if current is not None and day < current:
        raise InvalidCollateral(f"the valuation date {day} is before the current valuation's ({current})")


# ---------------------------------------------------------------------------------------------------- reading


def reads(uow: UnitOfWork, rows: list[Collateral]) -> list[CollateralRead]:
    """Collateral as read models, with owner and active pledged total (one query each for all rows)."""
    owners = customers.customer_names(uow, sorted({c.owner_customer_id for c in rows}))
    totals = pledged_totals(uow, (c.id for c in rows))
    out = []
    for c in rows:
        pledged = totals.get(c.id, 0)
        number, name = owners.get(c.owner_customer_id, ("", ""))
        out.append(
            CollateralRead(
                collateral_number=c.collateral_number,
                type=c.type,
                description=c.description,
                owner_customer_number=number,
                owner_name=name,
                currency=c.currency,
                value=minor_to_text(c.value, c.currency),
                valuation_date=c.valuation_date,
                pledged=minor_to_text(pledged, c.currency),
                available=minor_to_text(c.value - pledged, c.currency),
                status=c.status,
                branch_code=c.branch_code,
                registered_by=c.registered_by,
                registered_on=c.registered_on,
                released_on=c.released_on,
            )
        )
    return out


def pledge_reads(uow: UnitOfWork, pledges: list[CollateralPledge]) -> list[PledgeRead]:
    """Pledges as read models, with their collateral, application status and loan (set-based lookups)."""
    s = uow.session
    col_ids = sorted({p.collateral_id for p in pledges})
    app_ids = sorted({p.application_id for p in pledges if p.application_id is not None})
    loan_ids = sorted({p.loan_id for p in pledges if p.loan_id is not None})
    cols = {
        r.id: r
        for r in s.execute(
            select(Collateral.id, Collateral.collateral_number, Collateral.type, Collateral.currency).where(
                Collateral.id.in_(col_ids)
            )
        )
    }
    apps: dict[int, str] = {}
    if app_ids:
        apps = {
            r.id: r.status
            for r in s.execute(
                select(LoanApplication.id, LoanApplication.status).where(LoanApplication.id.in_(app_ids))
            )
        }
    loans: dict[int, tuple[str, str]] = {}
    if loan_ids:
        loans = {
            r.id: (r.loan_number, r.status)
            for r in s.execute(select(Loan.id, Loan.loan_number, Loan.status).where(Loan.id.in_(loan_ids)))
        }
    out = []
    for p in pledges:
        col = cols[p.collateral_id]
        loan = loans.get(p.loan_id) if p.loan_id is not None else None
        out.append(
            PledgeRead(
                id=p.id,
                collateral_number=col.collateral_number,
                collateral_type=col.type,
                application_id=p.application_id,
                application_status=apps.get(p.application_id) if p.application_id is not None else None,
                loan_id=p.loan_id,
                loan_number=loan[0] if loan else None,
                loan_status=loan[1] if loan else None,
                pledged_amount=minor_to_text(p.pledged_amount, col.currency),
                currency=col.currency,
                status=p.status,
                created_by=p.created_by,
                created_on=p.created_on,
                released_on=p.released_on,
            )
        )
    return out


def guarantor_reads(uow: UnitOfWork, rows: list[LoanGuarantor], currency: str) -> list[GuarantorRead]:
    """Guarantees as read models, amounts in the application's `currency`."""
    names = customers.customer_names(uow, sorted({g.guarantor_customer_id for g in rows}))
    return [
        GuarantorRead(
            id=g.id,
            customer_number=names.get(g.guarantor_customer_id, ("", ""))[0],
            name=names.get(g.guarantor_customer_id, ("", ""))[1],
            application_id=g.application_id,
            loan_id=g.loan_id,
            guaranteed_amount=minor_to_text(g.guaranteed_amount, currency),
            currency=currency,
            kind=g.kind,
            status=g.status,
            created_by=g.created_by,
            created_on=g.created_on,
            released_on=g.released_on,
        )
        for g in rows
    ]


def detail(uow: UnitOfWork, c: Collateral) -> CollateralDetail:
    """A collateral with every valuation and every pledge it has had."""
    valuations = uow.session.execute(
        select(CollateralValuation)
        .where(CollateralValuation.collateral_id == c.id)
        .order_by(CollateralValuation.id)
    ).scalars()
    pledges = list(
        uow.session.execute(
            select(CollateralPledge)
            .where(CollateralPledge.collateral_id == c.id)
            .order_by(CollateralPledge.id)
        ).scalars()
    )
    return CollateralDetail(
        **reads(uow, [c])[0].model_dump(),
        valuations=[
            ValuationRead(
                value=minor_to_text(v.value, c.currency),
                valuation_date=v.valuation_date,
                valuer=v.valuer,
                note=v.note,
                created_by=v.created_by,
                created_at=v.created_at,
            )
            for v in valuations
        ],
        pledges=pledge_reads(uow, pledges),
    )


def loan_is_live(uow: UnitOfWork, loan_id: int | None) -> bool:
    """True when `loan_id` is a contracted or active loan."""
    if loan_id is None:
        return False
    status = uow.session.execute(select(Loan.status).where(Loan.id == loan_id)).scalar()
    return status in LIVE_LOAN
