"""ISO 20022 statements (camt.053) and notifications (camt.054) for an account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from corebank.payments import camt
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1/accounts", tags=["statements"])


def _xml(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type=camt.MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/{number}/camt053",
    summary="Statement for a period as ISO 20022 camt.053.001.08",
    description="Opening booked balance (OPBD), one entry per booked line (AcctSvcrRef = journal entry id), "
    "closing booked balance (CLBD). `from` and `to` are YYYY-MM-DD, both included, at most 366 days apart; "
    "a bad period is refused with INVALID_PERIOD.",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}},
)
def camt053(
    bank: BankDep,
    number: str,
    actor: Annotated[Actor, Depends(requires(P.ACCOUNT_READ))],
    start: Annotated[str | None, Query(alias="from", description="first day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, Query(alias="to", description="last day, YYYY-MM-DD")] = None,
) -> Response:
    date_from, date_to = camt.parse_day("from", start), camt.parse_day("to", end)
    body = bank.run(camt.camt053, actor, number, date_from, date_to)
    return _xml(body, camt.camt053_filename(number, date_from, date_to))


@router.get(
    "/{number}/camt054",
    summary="Debit/credit notification of one posted entry as ISO 20022 camt.054.001.08",
    description="One entry for each line the journal entry booked on the account; ENTRY_NOT_ON_ACCOUNT (404) "
    "when the entry does not touch it.",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}},
)
def camt054(
    bank: BankDep,
    number: str,
    actor: Annotated[Actor, Depends(requires(P.ACCOUNT_READ))],
    entry_id: Annotated[int, Query(description="the journal entry id", ge=1)],
) -> Response:
    body = bank.run(camt.camt054, actor, number, entry_id)
    return _xml(body, camt.camt054_filename(number, entry_id))
