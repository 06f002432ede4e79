"""The clearing house's deliveries to this bank: pacs.008 credits, pacs.002 status reports, pacs.004 returns."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool

from corebank.iso20022 import Iso20022Error
from corebank.kernel.errors import InvalidRequest, NotAuthenticated
from corebank.payments import clearing_link, inbound
from corebank.web.deps import BankDep
from corebank.web.errors import problem

router = APIRouter(prefix="/api/v1/clearing", tags=["clearing"])

MAX_BODY = 32 * 1024 * 1024  # a BEPS delivery of a few thousand transactions fits easily


@router.post(
    "/inbound",
    summary="A delivery from the clearing house (pacs.008, pacs.002 or pacs.004 XML body)",
    openapi_extra={"requestBody": {"content": {"application/xml": {"schema": {"type": "string"}}}}},
)
async def receive(
    request: Request,
    bank: BankDep,
    token: Annotated[str | None, Header(alias="X-Clearing-Token")] = None,
) -> Any:
    # Permission: the clearing house's shared token (checked in constant time), not a staff login; the
    # service then acts as the clearing actor, who holds PAYMENT_OPERATE only.
    expected = str(bank.settings.clearing_token).encode()
    if not token or not hmac.compare_digest(token.encode(), expected):
        raise NotAuthenticated("send the clearing house's X-Clearing-Token")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise InvalidRequest("the delivery is larger than this bank accepts")
    try:
        # The unit of work blocks: run it on the thread pool, as FastAPI does for plain `def` routes.
        return await run_in_threadpool(bank.run, inbound.receive, clearing_link.CLEARING_ACTOR, body)
    except Iso20022Error as exc:
        # A document we cannot read is the sender's fault: 400, as the clearing house answers it too.
        return problem(400, exc.code, exc.title, exc.detail, errors=exc.errors)
