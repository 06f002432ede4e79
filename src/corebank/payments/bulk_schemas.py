"""Bulk payment file schemas: the batch summary, its per-line report and the list of batches, and how rows
become them (JSON and CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel

from corebank.kernel.money import minor_to_text

BatchStatus = Literal["received", "validated", "posted", "partially_posted", "rejected"]
LineStatus = Literal["pending", "credited", "sent_external", "failed"]


class BulkBatchRead(BaseModel):
    """What became of a pain.001 file: counts and totals (decimal text) per outcome, and its entries."""

    batch_id: int
    msg_id: str
    status: BatchStatus
    file_name: str
    file_sha256: str
    initiating_party: str
    payer_account: str
    payer_name: str
    branch_code: str
    currency: str
    requested_execution_date: date | None
    line_count: int
    total: str
    credited_count: int
    credited_total: str
    external_count: int
    external_total: str
    failed_count: int
    failed_total: str
    funding_entry_id: int | None
    refund_entry_id: int | None
    created_by: str
    created_at: datetime
    posted_at: datetime | None


class BulkLineRead(BaseModel):
    """One line of the per-line report."""

    seq: int
    pmt_inf_id: str
    end_to_end_id: str
    creditor_account: str
    creditor_name: str
    creditor_bank_code: str
    amount: str
    currency: str
    status: LineStatus
    reason_code: str | None
    reason_text: str
    credit_entry_id: int | None
    interbank_payment_id: int | None


class BulkBatchReport(BaseModel):
    """A batch with one page of its lines in file order; follow `next_cursor` (the last seq) for more."""

    batch: BulkBatchRead
    lines: list[BulkLineRead]
    next_cursor: str | None


class BulkBatchPage(BaseModel):
    items: list[BulkBatchRead]
    next_cursor: str | None


REPORT_COLUMNS = (
    "seq",
    "pmt_inf_id",
    "end_to_end_id",
    "creditor_account",
    "creditor_name",
    "creditor_bank_code",
    "amount",
    "currency",
    "status",
    "reason_code",
    "reason_text",
    "credit_entry_id",
    "interbank_payment_id",
)


def batch_read(b: Any) -> BulkBatchRead:
    """A bulk_batches row as the API shows it."""
    cur = b.currency
    return BulkBatchRead(
        batch_id=b.id,
        msg_id=b.msg_id,
        status=b.status,
        file_name=b.file_name,
        file_sha256=b.file_sha256,
        initiating_party=b.initiating_party,
        payer_account=b.payer_account,
        payer_name=b.payer_name,
        branch_code=b.branch_code,
        currency=cur,
        requested_execution_date=b.requested_execution_date,
        line_count=b.line_count,
        total=minor_to_text(b.total, cur),
        credited_count=b.credited_count,
        credited_total=minor_to_text(b.credited_total, cur),
        external_count=b.external_count,
        external_total=minor_to_text(b.external_total, cur),
        failed_count=b.failed_count,
        failed_total=minor_to_text(b.failed_total, cur),
        funding_entry_id=b.funding_entry_id,
        refund_entry_id=b.refund_entry_id,
        created_by=b.created_by,
        created_at=b.created_at,
        posted_at=b.posted_at,
    )


def line_read(r: Any) -> BulkLineRead:
    """A bulk_lines row as the per-line report shows it."""
    return BulkLineRead(
        seq=r.seq,
        pmt_inf_id=r.pmt_inf_id,
        end_to_end_id=r.end_to_end_id,
        creditor_account=r.creditor_account,
        creditor_name=r.creditor_name,
        creditor_bank_code=r.creditor_bank_code,
        amount=minor_to_text(r.amount, r.currency),
        currency=r.currency,
        status=r.status,
        reason_code=r.reason_code,
        reason_text=r.reason_text,
        credit_entry_id=r.credit_entry_id,
        interbank_payment_id=r.interbank_payment_id,
    )


def report_csv(chunks: Iterable[list[BulkLineRead]]) -> Iterator[str]:
    """The per-line report as CSV text: the header, then a piece per chunk of lines (REST and CLI stream it)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(REPORT_COLUMNS)
    for chunk in chunks:
        for line in chunk:
            data = line.model_dump()
            w.writerow(["" if data[c] is None else data[c] for c in REPORT_COLUMNS])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    if buf.getvalue():
        yield buf.getvalue()
