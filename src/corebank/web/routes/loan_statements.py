"""The loan statement (贷款对账单) for a period, as JSON, CSV or PDF."""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from corebank.loans import statement
from corebank.loans.statement_schemas import LoanStatement
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1/loans", tags=["loans"])
Reader = Annotated[Actor, Depends(requires(P.LOAN_READ))]


@router.get(
    "/{loan_number}/statement",
    response_model=LoanStatement,
    summary="The loan's statement for a period (贷款对账单) as JSON, CSV or PDF",
    description="Opening and closing outstanding principal, every disbursement and repayment (split into "
    "penalty, interest, principal, fee, recovery) in date order with the principal after it, and the totals. "
    "`from` and `to` are YYYY-MM-DD, both included (default: from the first disbursement to the business date). "
    "Refused with LOAN_NOT_FOUND outside the reader's branches, INVALID_PERIOD for a bad period.",
    responses={200: {"content": {"text/csv": {}, "application/pdf": {}}}},
)
def loan_statement(
    bank: BankDep,
    actor: Reader,
    loan_number: str,
    start: Annotated[str | None, Query(alias="from", description="first day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, Query(alias="to", description="last day, YYYY-MM-DD")] = None,
    fmt: Annotated[Literal["json", "csv", "pdf"], Query(alias="format")] = "json",
) -> Any:
    date_from = statement.parse_day("from", start)
    date_to = statement.parse_day("to", end)
    st = bank.run(statement.loan_statement, actor, loan_number, date_from, date_to)
    if fmt == "json":
        return st
    if fmt == "csv":
        body = statement.statement_csv(st)
    else:
        out = io.BytesIO()
        statement.write_statement_pdf(st, out, bank.settings.bank_name)
        body = out.getvalue()
    return Response(
        body,
        media_type=statement.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{st.filename(fmt)}"'},
    )
