"""Loans: the repayment schedule calculator (the rest of the lending area follows, issue 4)."""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from corebank import loans
from corebank.loans import SchedulePreview, SchedulePreviewRequest
from corebank.loans.export import schedule_csv, write_schedule_pdf
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1/loans", tags=["loans"])
Reader = Annotated[Actor, Depends(requires(P.PRODUCT_READ))]


@router.post(
    "/schedule-preview",
    response_model=SchedulePreview,
    summary="Preview a repayment schedule (等额本息, 等额本金, 先息后本, 到期一次还本付息) without a loan",
    description="`format=csv` or `format=pdf` answers the schedule as a file (还款计划表) instead of JSON.",
)
def schedule_preview(
    bank: BankDep,
    actor: Reader,
    cmd: SchedulePreviewRequest,
    fmt: Annotated[Literal["json", "csv", "pdf"], Query(alias="format")] = "json",
) -> Any:
    preview = loans.preview_schedule(cmd)
    if fmt == "csv":
        return Response(
            schedule_csv(preview),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="repayment-schedule.csv"'},
        )
    if fmt == "pdf":
        out = io.BytesIO()
        write_schedule_pdf(preview, out, bank.settings.bank_name)
        return Response(
            out.getvalue(),
            media_type="application/pdf",
            headers={"Content-Disposition": 'attachment; filename="repayment-schedule.pdf"'},
        )
    return preview
