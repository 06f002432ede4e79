"""Certificate loss reports (挂失) on time deposits, their release (解挂) and the reissue (补发).

An oral report (口头挂失) blocks the deposit for 5 days, then lapses by itself. A written report (书面挂失)
needs the holder's ID and blocks it until released; from its 7th day it allows the reissue of a new
certificate (the old number is voided, never reused) or a withdrawal by the holder with ID. Releasing a
report needs the holder's ID number.
"""

from __future__ import annotations

from sqlalchemy import update

from corebank.db.uow import UnitOfWork
from corebank.deposits import time_rules as rules
from corebank.deposits import time_store as store
from corebank.deposits.time_errors import LossReportExists, NoLossReport, ReissueTooEarly
from corebank.deposits.time_models import TimeDepositCertificate, TimeDepositLossReport
from corebank.deposits.time_schemas import (
    HolderIdentity,
    LossReportCreate,
    LossReportRead,
    ReissueRead,
)
from corebank.kernel.events import Event
from corebank.security import Actor, P


def report_loss(
    uow: UnitOfWork, actor: Actor, certificate_number: str, cmd: LossReportCreate
) -> LossReportRead:
    """Report the certificate lost. A written report needs the holder's ID number and takes over from an
    oral one in force; a second report of the same standing is refused (LOSS_REPORT_EXISTS)."""
    actor.require(P.DEPOSIT_OPERATE)
    td = store.find(uow, actor, certificate_number, for_update=True)
    store.ensure_not_closed(td)
    today = uow.business_date
    store.lapse_oral_reports(uow, td.id, today)
    existing = store.active_report(uow, td.id, today)
    if cmd.kind == "written":
        store.verify_holder(uow, actor, td, cmd.id_number)
    if existing is not None and (existing.kind == "written" or cmd.kind == "oral"):
        raise LossReportExists(
            f"certificate {certificate_number} is already under a {existing.kind} loss report "
            f"since {existing.reported_on}"
        )
    if existing is not None:
        existing.status, existing.closed_on, existing.closed_by = "superseded", today, actor.username
    report = TimeDepositLossReport(
        deposit_id=td.id,
        certificate_number=certificate_number,
        kind=cmd.kind,
        status="active",
        reported_on=today,
        reported_by=actor.username,
        reason=cmd.reason,
        closed_on=None,
        closed_by=None,
        reported_at=uow.now,
    )
    uow.session.add(report)
    uow.session.flush()
    uow.audit(actor, "time_deposit.loss_report", "time_deposit", certificate_number, kind=cmd.kind)
    uow.publish(Event("CertificateReportedLost", "time_deposit", certificate_number, {"kind": cmd.kind}))
    return store.report_read(report, today)


def release_loss_report(
    uow: UnitOfWork, actor: Actor, certificate_number: str, cmd: HolderIdentity
) -> LossReportRead:
    """Release the loss report in force (解挂): the holder shows ID, and the deposit moves again."""
    actor.require(P.DEPOSIT_OPERATE)
    td = store.find(uow, actor, certificate_number, for_update=True)
    store.ensure_not_closed(td)
    today = uow.business_date
    report = store.active_report(uow, td.id, today)
    if report is None:
        raise NoLossReport(f"certificate {certificate_number} is not under a loss report")
    store.verify_holder(uow, actor, td, cmd.id_number)
    report.status, report.closed_on, report.closed_by = "released", today, actor.username
    uow.audit(actor, "time_deposit.loss_release", "time_deposit", certificate_number, kind=report.kind)
    uow.publish(Event("LossReportReleased", "time_deposit", certificate_number, {"kind": report.kind}))
    return store.report_read(report, today)


def reissue_certificate(
    uow: UnitOfWork, actor: Actor, certificate_number: str, cmd: HolderIdentity
) -> ReissueRead:
    """Reissue the certificate (补发) under a written loss report at least 7 days old: the holder shows ID,
    the deposit gets a new certificate number, and the old one is voided for good."""
    actor.require(P.DEPOSIT_OPERATE)
    td = store.find(uow, actor, certificate_number, for_update=True)
    store.ensure_not_closed(td)
    today = uow.business_date
    report = store.active_report(uow, td.id, today)
    if report is None:
        raise NoLossReport(f"certificate {certificate_number} is not under a loss report")
    ripe_on = rules.written_report_ripens_on(report.reported_on)
    if report.kind != "written" or today < ripe_on:
        raise ReissueTooEarly(
            "a reissue needs a written loss report"
            if report.kind != "written"
            else f"the written loss report of {report.reported_on} allows a reissue from {ripe_on}"
        )
    store.verify_holder(uow, actor, td, cmd.id_number)
    uow.session.execute(
        update(TimeDepositCertificate)
        .where(TimeDepositCertificate.number == certificate_number)
        .values(status="void", voided_on=today, void_reason="reissued after a written loss report")
    )
    new_number = store.new_certificate_number(uow, td.branch_code)
    td.certificate_number = new_number
    store.issue_certificate(uow, td.id, new_number, actor.username)
    report.status, report.closed_on, report.closed_by = "reissued", today, actor.username
    uow.session.flush()
    uow.audit(actor, "time_deposit.reissue", "time_deposit", new_number, old_certificate=certificate_number)
    uow.publish(
        Event("CertificateReissued", "time_deposit", new_number, {"old_certificate": certificate_number})
    )
    return ReissueRead(old_certificate_number=certificate_number, deposit=store.deposit_read(uow, td))
