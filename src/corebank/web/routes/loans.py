"""Loans: the repayment schedule calculator (the rest of the lending area follows, issue 4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from corebank import loans
from corebank.loans import SchedulePreview, SchedulePreviewRequest
from corebank.security import Actor, P
from corebank.web.deps import requires

router = APIRouter(prefix="/api/v1/loans", tags=["loans"])
Reader = Annotated[Actor, Depends(requires(P.PRODUCT_READ))]


@router.post(
    "/schedule-preview",
    response_model=SchedulePreview,
    summary="Preview a repayment schedule (等额本息, 等额本金, 先息后本, 到期一次还本付息) without a loan",
)
def schedule_preview(actor: Reader, cmd: SchedulePreviewRequest) -> SchedulePreview:
    return loans.preview_schedule(cmd)
