"""The loan book as risk and accounting staff read it: aging buckets by days past due (账龄) and the five-tier
classification (五级分类) with provisions and the non-performing ratio, per branch or for the whole bank. One
grouped query each over the book (set-based), never a loop over loans."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, Field
from sqlalchemy import case, func, select

from corebank import ledger
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.money import minor_to_text
from corebank.loans import rules
from corebank.loans.models import Loan
from corebank.security import Actor, P

# (first day past due, label): the buckets risk reports use; the last is open-ended.
AGING_BUCKETS: tuple[tuple[int, str], ...] = (
    (0, "current"),
    (1, "1-30"),
    (31, "31-60"),
    (61, "61-90"),
    (91, "91-180"),
    (181, "181-270"),
    (271, "271-360"),
    (361, "over 360"),
)
NON_PERFORMING = ("substandard", "doubtful", "loss")


class PortfolioRow(BaseModel):
    group: str = Field(description="an aging bucket or a classification")
    loans: int
    outstanding_principal: str
    overdue_principal: str
    overdue_interest: str
    penalty_owed: str
    provision: str


class PortfolioReport(BaseModel):
    as_of: str
    branch_code: str | None
    currency: str
    aging: list[PortfolioRow]
    classification: list[PortfolioRow]
    total_outstanding: str
    non_performing: str = Field(description="substandard, doubtful and loss together")
    npl_ratio: str = Field(description="non-performing ÷ outstanding, percent with two decimals")
    provision: str
    provision_coverage: str = Field(description="provision ÷ non-performing, percent (拨备覆盖率)")


def _bucket() -> object:
    whens = [(Loan.days_past_due >= first, label) for first, label in reversed(AGING_BUCKETS[1:])]
    return case(*whens, else_=AGING_BUCKETS[0][1])


def _percent(part: int, whole: int) -> str:
    if whole == 0:
        return "0.00"
    return str((Decimal(part) * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def portfolio(
    uow: UnitOfWork, actor: Actor, *, branch_code: str | None = None, currency: str = "CNY"
) -> PortfolioReport:
    """Active loans grouped by aging bucket and by classification, with outstanding principal (from the
    ledger), overdue amounts, penalty owed and provision; the NPL ratio and the provision coverage."""
    actor.require(P.LOAN_READ)
    if branch_code is not None:
        actor.require_branch(branch_code)
    elif actor.branches is not None:
        raise InvalidRequest("name your branch: branch_code (you may read only your branches' loans)")
    la = ledger.subledger_table()
    where = [Loan.status == "active", Loan.currency == currency]
    if branch_code is not None:
        where.append(Loan.branch_code == branch_code)

    def grouped(key: object) -> dict[str, tuple[int, ...]]:
        q = (
            select(
                key.label("g"),  # type: ignore[attr-defined]
                func.count(),
                func.coalesce(func.sum(la.c.balance), 0),
                func.coalesce(func.sum(Loan.overdue_principal), 0),
                func.coalesce(func.sum(Loan.overdue_interest), 0),
                func.coalesce(func.sum(Loan.penalty_accrued - Loan.penalty_paid), 0),
                func.coalesce(func.sum(Loan.provision), 0),
            )
            .select_from(Loan)
            .join(la, la.c.id == Loan.id)
            .where(*where)
            .group_by(key)  # type: ignore[arg-type]
        )
        return {str(r[0]): tuple(int(x) for x in r[1:]) for r in uow.conn.execute(q)}

    def rows(found: dict[str, tuple[int, ...]], order: tuple[str, ...]) -> list[PortfolioRow]:
        out = []
        for name in order:
            n, bal, op, oi, pen, prov = found.get(name, (0, 0, 0, 0, 0, 0))
            out.append(
                PortfolioRow(
                    group=name,
                    loans=n,
                    outstanding_principal=minor_to_text(bal, currency),
                    overdue_principal=minor_to_text(op, currency),
                    overdue_interest=minor_to_text(oi, currency),
                    penalty_owed=minor_to_text(pen, currency),
                    provision=minor_to_text(prov, currency),
                )
            )
        return out

    by_class = grouped(Loan.classification)
    total = sum(v[1] for v in by_class.values())
    npl = sum(by_class.get(c, (0, 0))[1] for c in NON_PERFORMING)
    provision = sum(v[5] for v in by_class.values())
    return PortfolioReport(
        as_of=uow.business_date.isoformat(),
        branch_code=branch_code,
        currency=currency,
        aging=rows(grouped(_bucket()), tuple(label for _, label in AGING_BUCKETS)),
        classification=rows(by_class, rules.CLASSIFICATIONS),
        total_outstanding=minor_to_text(total, currency),
        non_performing=minor_to_text(npl, currency),
        npl_ratio=_percent(npl, total),
        provision=minor_to_text(provision, currency),
        provision_coverage=_percent(provision, npl),
    )


def portfolio_csv(report: PortfolioReport) -> bytes:
    """The report as CSV: one row per aging bucket, then one per classification, then the ratios."""
    out = io.StringIO()
    w = csv.writer(out)
    columns = (
        "loans",
        "outstanding_principal",
        "overdue_principal",
        "overdue_interest",
        "penalty_owed",
        "provision",
    )
    w.writerow(("section", "group", *columns))
    for section, rows in (("aging", report.aging), ("classification", report.classification)):
        for r in rows:
            w.writerow((section, r.group, *(getattr(r, c) for c in columns)))
    for name in ("total_outstanding", "non_performing", "npl_ratio", "provision", "provision_coverage"):
        w.writerow(("summary", name, getattr(report, name)))
    return out.getvalue().encode("utf-8")
