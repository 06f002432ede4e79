"""Account statements for a period as PDF or CSV."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from corebank import finance
from corebank.bootstrap import Bank
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1/accounts", tags=["statements"])
# A statement is written in full before the first byte goes out (so a statement that does not add up is
# refused, never half sent); up to this size in memory, beyond it in a temporary file.
SPOOL_BYTES = 4 * 1024 * 1024


def _stream(f: IO[bytes]) -> Iterator[bytes]:
    try:
        while block := f.read(64 * 1024):
            yield block
    finally:
        f.close()


@router.get(
    "/{number}/statement",
    summary="Statement for a month or a period (at most 366 days) as CSV or PDF",
    description="Opening balance, every line with its running balance (interest lines marked), totals and "
    "the closing balance. Give `month=YYYY-MM`, or `from` and `to` (YYYY-MM-DD, both included). "
    "A bad period is refused with INVALID_PERIOD, a bad format with INVALID_REQUEST.",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}, "application/pdf": {}}}},
)
def statement(
    bank: BankDep,
    number: str,
    actor: Annotated[Actor, Depends(requires(P.ACCOUNT_READ))],
    month: Annotated[str | None, Query(description="the whole month, YYYY-MM")] = None,
    start: Annotated[str | None, Query(alias="from", description="first day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, Query(alias="to", description="last day, YYYY-MM-DD")] = None,
    fmt: Annotated[str, Query(alias="format", description="csv (default) or pdf")] = "csv",
) -> StreamingResponse:
    period = finance.parse_period(month=month, start=start, end=end)
    kind = finance.parse_format(fmt)
    st = bank.run(finance.account_statement, actor, number, period)
    return statement_response(bank, actor, st, kind)


def statement_response(
    bank: Bank, actor: Actor, st: finance.Statement, kind: finance.StatementFormat
) -> StreamingResponse:
    """The statement written in full (refused whole if it does not add up), then streamed as a download."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by _stream
    try:
        bank.run(finance.write_statement, actor, st, kind, out, readonly=True)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return StreamingResponse(
        _stream(out),
        media_type=finance.MEDIA_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{st.filename(kind)}"'},
    )
