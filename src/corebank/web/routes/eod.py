"""End of day: the business date and what the last runs did (runs start from `corebank eod run`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from corebank import eod
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1/eod", tags=["end of day"])
Reader = Annotated[Actor, Depends(requires(P.LEDGER_READ))]


@router.get("/status", summary="The business date, its phase, and the last end-of-day runs step by step")
def status(
    bank: BankDep,
    actor: Reader,
    day: Annotated[date | None, Query(alias="date")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> dict[str, Any]:
    state = bank.run(eod.business_state, readonly=True)
    return {**state, "runs": bank.run(eod.eod_status, actor, day, limit, readonly=True)}
