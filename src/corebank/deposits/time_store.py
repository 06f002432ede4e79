"""What the time deposit use cases share: finding a deposit by certificate, its loss-report state, the holder's
identity check, certificate numbers, and the read model."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select, update

from corebank import accounts, customers
from corebank.db.sequences import next_number
from corebank.db.uow import UnitOfWork
from corebank.deposits import time_rules as rules
from corebank.deposits.time_errors import (
    CertificateReportedLost,
    CertificateVoid,
    DepositClosed,
    IdentityMismatch,
    TimeDepositNotFound,
)
from corebank.deposits.time_models import (
    TimeDeposit,
    TimeDepositCertificate,
    TimeDepositInterest,
    TimeDepositLossReport,
)
from corebank.deposits.time_schemas import InterestLine, LossReportRead, TimeDepositRead
from corebank.kernel.ids import with_luhn
from corebank.kernel.money import minor_to_text
from corebank.security import Actor

CERTIFICATE_SEQUENCE = "time_deposit_certificate"


def new_certificate_number(uow: UnitOfWork, branch_code: str) -> str:
    """A fresh certificate number (存单号): branch, "12" (time deposits), a 9-digit serial never reused, and a
    Luhn check digit: 16 digits."""
    return with_luhn(f"{branch_code}12{next_number(uow, CERTIFICATE_SEQUENCE, start=100001):09d}")


def issue_certificate(uow: UnitOfWork, deposit_id: int, number: str, by: str) -> None:
    """Record `number` as the deposit's valid certificate."""
    uow.session.add(
        TimeDepositCertificate(
            deposit_id=deposit_id,
            number=number,
            status="valid",
            issued_on=uow.business_date,
            issued_by=by,
            voided_on=None,
            void_reason="",
        )
    )


def find(uow: UnitOfWork, actor: Actor, certificate_number: str, *, for_update: bool = False) -> TimeDeposit:
    """The deposit behind a valid certificate number, within the actor's branch scope (row locked for a
    write on PostgreSQL). A voided number is refused with CERTIFICATE_VOID."""
    q = select(TimeDeposit).where(TimeDeposit.certificate_number == certificate_number)
    td = uow.session.execute(q.with_for_update() if for_update else q).scalar()
    if td is None:
        void = uow.session.execute(
            select(TimeDepositCertificate.voided_on).where(
                TimeDepositCertificate.number == certificate_number,
                TimeDepositCertificate.status == "void",
            )
        ).first()
        if void is not None:
            raise CertificateVoid(f"certificate {certificate_number} was voided on {void[0]} by a reissue")
        raise TimeDepositNotFound(f"no time deposit with certificate {certificate_number}")
    actor.require_branch(td.branch_code)
    return td


def ensure_not_closed(td: TimeDeposit) -> None:
    """Refuse any change to a closed deposit."""
    if td.status == "closed":
        raise DepositClosed(f"time deposit {td.certificate_number} was closed on {td.closed_on}")


def active_report(uow: UnitOfWork, deposit_id: int, today: date) -> TimeDepositLossReport | None:
    """The loss report that blocks the deposit on `today`, if any (an oral one lapses after 5 days)."""
    for r in uow.session.execute(
        select(TimeDepositLossReport)
        .where(TimeDepositLossReport.deposit_id == deposit_id, TimeDepositLossReport.status == "active")
        .order_by(TimeDepositLossReport.id.desc())
    ).scalars():
        if r.kind == "oral" and today >= rules.oral_report_lapses_on(r.reported_on):
            continue
        return r
    return None


def lapse_oral_reports(uow: UnitOfWork, deposit_id: int, today: date) -> None:
    """Mark oral reports older than 5 days as lapsed (they stopped blocking on their own)."""
    uow.session.execute(
        update(TimeDepositLossReport)
        .where(
            TimeDepositLossReport.deposit_id == deposit_id,
            TimeDepositLossReport.status == "active",
            TimeDepositLossReport.kind == "oral",
            TimeDepositLossReport.reported_on <= date.fromordinal(today.toordinal() - rules.ORAL_LOSS_DAYS),
        )
        .values(status="lapsed", closed_on=today, closed_by="system")
    )


def _normal_id(text: str) -> str:
    return "".join(text.split()).upper()


def verify_holder(uow: UnitOfWork, actor: Actor, td: TimeDeposit, id_number: str | None) -> None:
    """Check that `id_number` is the holder's ID document number (the look-up is audited by the customers
    area); refuse with IDENTITY_MISMATCH when missing or different."""
    if not id_number or not id_number.strip():
        raise IdentityMismatch("give the holder's ID number (id_number)")
    number = customers.customer_names(uow, [td.customer_id])[td.customer_id][0]
    if _normal_id(customers.reveal_id_number(uow, actor, number)) != _normal_id(id_number):
        raise IdentityMismatch(f"the ID number given is not that of the holder of {td.certificate_number}")


def check_may_move(uow: UnitOfWork, actor: Actor, td: TimeDeposit, id_number: str | None) -> None:
    """Refuse money movement while a loss report blocks the deposit (CERTIFICATE_REPORTED_LOST). A written report
    at least 7 days old allows a withdrawal by the holder, who proves it with the ID number."""
    report = active_report(uow, td.id, uow.business_date)
    if report is None:
        return
    if report.kind == "written" and uow.business_date >= rules.written_report_ripens_on(report.reported_on):
        verify_holder(uow, actor, td, id_number)
        return
    raise CertificateReportedLost(
        f"certificate {td.certificate_number} is under a {report.kind} loss report since {report.reported_on}"
    )


def report_read(r: TimeDepositLossReport, today: date) -> LossReportRead:
    """A loss report as the API shows it (an oral report past its 5 days shows as lapsed)."""
    status = r.status
    if status == "active" and r.kind == "oral" and today >= rules.oral_report_lapses_on(r.reported_on):
        status = "lapsed"
    return LossReportRead(
        certificate_number=r.certificate_number,
        kind=r.kind,
        status=status,
        reported_on=r.reported_on,
        blocks_until=rules.oral_report_lapses_on(r.reported_on) if r.kind == "oral" else None,
        reissue_from=rules.written_report_ripens_on(r.reported_on) if r.kind == "written" else None,
    )


def interest_lines(uow: UnitOfWork, td: TimeDeposit) -> list[InterestLine]:
    """Every interest payment of the deposit, oldest first."""
    rows = uow.session.execute(
        select(TimeDepositInterest)
        .where(TimeDepositInterest.deposit_id == td.id)
        .order_by(TimeDepositInterest.id)
    ).scalars()
    return [line_read(r, td.currency) for r in rows]


def line_read(r: TimeDepositInterest, currency: str) -> InterestLine:
    """One interest payment for the API."""
    return InterestLine(
        paid_on=r.paid_on,
        kind=r.kind,
        principal=minor_to_text(r.principal, currency),
        annual_rate=r.annual_rate,
        period_from=r.period_from,
        period_to=r.period_to,
        basis=r.basis,
        amount=minor_to_text(r.amount, currency),
    )


def deposit_reads(uow: UnitOfWork, tds: list[TimeDeposit]) -> list[TimeDepositRead]:
    """Deposits as the API shows them (holders and linked accounts read in one query each)."""
    if not tds:
        return []
    today = uow.business_date
    names = customers.customer_names(uow, list({t.customer_id for t in tds}))
    linked_ids = [t.linked_account_id for t in tds if t.linked_account_id is not None]
    linked = accounts.numbers_of(uow, linked_ids) if linked_ids else {}
    out = []
    for td in tds:
        cur, rate = td.currency, Decimal(td.annual_rate)
        report = active_report(uow, td.id, today) if td.status != "closed" else None
        live = td.status != "closed"  # a held deposit still has its term interest to come
        expected = rules.term_interest(td.principal, rate, td.term_months) if live else 0
        accrued = (
            rules.accrued_to_date(td.principal, rate, td.term_months, td.term_start, today) if live else 0
        )
        holder = names.get(td.customer_id, ("", ""))
        out.append(
            TimeDepositRead(
                certificate_number=td.certificate_number,
                customer_number=holder[0],
                name=holder[1],
                product_code=td.product_code,
                currency=cur,
                branch_code=td.branch_code,
                term_months=td.term_months,
                opening_principal=minor_to_text(td.opening_principal, cur),
                principal=minor_to_text(td.principal, cur),
                annual_rate=td.annual_rate,
                opened_on=td.opened_on,
                term_start=td.term_start,
                maturity_date=td.maturity_date,
                maturity_instruction=td.maturity_instruction,
                linked_account=linked.get(td.linked_account_id) if td.linked_account_id else None,
                status=td.status,
                partial_withdrawals_used=td.partial_withdrawals,
                rollovers=td.rollovers,
                loss_report=report.kind if report else None,
                expected_interest=minor_to_text(expected, cur),
                accrued_interest=minor_to_text(accrued, cur),
                interest_paid=minor_to_text(td.interest_paid, cur),
                closed_on=td.closed_on,
            )
        )
    return out


def deposit_read(uow: UnitOfWork, td: TimeDeposit) -> TimeDepositRead:
    """One deposit as the API shows it."""
    return deposit_reads(uow, [td])[0]
