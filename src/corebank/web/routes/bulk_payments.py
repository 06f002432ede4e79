"""Bulk payment files (pain.001: payroll 代发工资, supplier runs) and their per-line reports."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from corebank.kernel.errors import InvalidRequest
from corebank.payments import bulk
from corebank.payments.bulk_schemas import BulkBatchPage, BulkBatchRead, BulkBatchReport, BulkLineRead
from corebank.security import Actor, P
from corebank.web.deps import BankDep, IdempotencyKey, requires

router = APIRouter(prefix="/api/v1/payments/bulk", tags=["payments"])
Reader = Annotated[Actor, Depends(requires(P.PAYMENT_READ))]
Creator = Annotated[Actor, Depends(requires(P.PAYMENT_CREATE))]
BLOCK = 1 << 20

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/xml": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


async def _spool(request: Request, folder: Path) -> tuple[Path, str]:
    """Write the uploaded file (multipart field `file`, or the raw XML body) to a temp file in `folder`,
    block by block, so a large file never sits in memory. Returns its path and the name it was sent with."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"upload-{uuid.uuid4().hex}.xml"
    name, size = "", 0
    with path.open("wb") as out:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form()
            sent = form.get("file")
            if not isinstance(sent, UploadFile):
                path.unlink(missing_ok=True)
                raise InvalidRequest("send the pain.001 file as the multipart field `file`")
            name = sent.filename or ""
            while block := await sent.read(BLOCK):
                out.write(block)
                size += len(block)
            await form.close()
        else:
            async for block in request.stream():
                out.write(block)
                size += len(block)
    if size == 0:
        path.unlink(missing_ok=True)
        raise InvalidRequest("the request holds no file: send a pain.001 document")
    return path, name


@router.post(
    "",
    response_model=BulkBatchRead,
    status_code=201,
    summary="Upload a pain.001.001.09 bulk payment file; it is validated and posted at once",
    description="The body is the XML document (Content-Type application/xml) or a multipart form with the "
    "field `file`. A file that fails the schema, its counts or control sums, repeats a message id, names a "
    "payer that cannot pay or lacks the funds is rejected whole (nothing changes). Otherwise every line is "
    "credited, handed to interbank clearing or failed and refunded; see GET /{batch_id} for the report.",
    openapi_extra=_UPLOAD_BODY,
)
async def upload(request: Request, bank: BankDep, key: IdempotencyKey, actor: Creator) -> JSONResponse:
    path, name = await _spool(request, bank.settings.var_dir / "bulk")
    try:
        read: BulkBatchRead = await run_in_threadpool(bank.run, bulk.upload, actor, path, key, file_name=name)
    finally:
        path.unlink(missing_ok=True)
    return JSONResponse(read.model_dump(mode="json"), status_code=201)


@router.get(
    "", response_model=BulkBatchPage, summary="Bulk payment files of the actor's branches, newest first"
)
def list_batches(
    bank: BankDep,
    actor: Reader,
    payer_account: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> BulkBatchPage:
    return bank.run(
        bulk.list_batches,
        actor,
        payer_account=payer_account,
        status=status,
        cursor=cursor,
        limit=limit,
        readonly=True,
    )


@router.get(
    "/{batch_id}",
    response_model=BulkBatchReport,
    summary="A bulk file's summary and per-line report (paginated; format=csv streams the whole report)",
)
def get_batch(
    bank: BankDep,
    batch_id: int,
    actor: Reader,
    status: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    fmt: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> Any:
    if fmt == "csv":
        return _csv_report(bank, actor, batch_id)
    return bank.run(bulk.get_batch, actor, batch_id, status=status, cursor=cursor, limit=limit, readonly=True)


def _csv_report(bank: BankDep, actor: Actor, batch_id: int) -> StreamingResponse:
    first = bank.run(bulk.batch_lines, actor, batch_id, after_seq=0, readonly=True)

    def chunks() -> Iterator[list[BulkLineRead]]:
        chunk = first
        while chunk:
            yield chunk
            chunk = bank.run(bulk.batch_lines, actor, batch_id, after_seq=chunk[-1].seq, readonly=True)

    return StreamingResponse(
        bulk.report_csv(chunks()),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="bulk-{batch_id}.csv"'},
    )
