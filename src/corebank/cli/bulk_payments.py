"""`corebank payment bulk-upload | bulk-show | bulk-list`: pain.001 bulk payment files (joins the `payment`
group). The upload posts the file at once (see corebank.payments.bulk) and prints its summary; a retry with
the same `--key` answers the first result."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from corebank.cli.common import build_bank, console, refuse, staff_actor
from corebank.cli.payments import app
from corebank.kernel.errors import CoreBankError
from corebank.payments import bulk
from corebank.payments.bulk_schemas import BulkBatchRead, BulkLineRead

AsUser = Annotated[
    str | None, typer.Option("--as-user", help="act as this staff user (their rights and branches)")
]
Key = Annotated[
    str | None, typer.Option("--key", help="idempotency key (default: a new one); reuse it to retry safely")
]


def _summary(b: BulkBatchRead) -> None:
    t = Table(title=f"bulk batch {b.batch_id}", show_header=False)
    t.add_column("field", style="bold")
    t.add_column("value")
    rows = [
        ("status", b.status),
        ("message id", b.msg_id),
        ("payer", f"{b.payer_account} {b.payer_name}"),
        ("lines", f"{b.line_count}, total {b.total} {b.currency}"),
        ("credited here", f"{b.credited_count}, {b.credited_total}"),
        ("sent to other banks", f"{b.external_count}, {b.external_total}"),
        ("failed (refunded)", f"{b.failed_count}, {b.failed_total}"),
        ("entries", f"debit {b.funding_entry_id}, refund {b.refund_entry_id or '-'}"),
        ("uploaded", f"{b.created_by} {b.created_at:%Y-%m-%d %H:%M:%S}"),
        ("file", f"{b.file_name or '-'} sha256 {b.file_sha256}"),
    ]
    for k, v in rows:
        t.add_row(k, v)
    console.print(t)


@app.command("bulk-upload")
def bulk_upload(
    file: Annotated[Path, typer.Argument(help="the pain.001.001.09 file", exists=True, dir_okay=False)],
    as_user: AsUser = None,
    key: Key = None,
) -> None:
    """Upload a bulk payment file (payroll 代发工资, supplier run): validated, then posted line by line."""
    key = key or f"cli-{uuid.uuid4().hex}"
    try:
        bank = build_bank()
        read = bank.run(bulk.upload, staff_actor(bank, as_user), file.resolve(), key, file_name=file.name)
    except CoreBankError as exc:
        refuse(exc)
    console.print(f"idempotency key: {key}")
    _summary(read)


@app.command("bulk-show")
def bulk_show(
    batch_id: Annotated[int, typer.Argument(help="the batch id")],
    as_user: AsUser = None,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="write the whole per-line report to this CSV file")
    ] = None,
    failed: Annotated[bool, typer.Option("--failed", help="list only the failed lines")] = False,
    limit: Annotated[int, typer.Option(help="lines to list on screen")] = 50,
) -> None:
    """A batch's summary and per-line report (`--csv out.csv` for all lines)."""
    try:
        bank = build_bank()
        actor = staff_actor(bank, as_user)
        report = bank.run(
            bulk.get_batch, actor, batch_id, status="failed" if failed else None, limit=limit, readonly=True
        )
        _summary(report.batch)
        if csv_out is not None:

            def chunks() -> Iterator[list[BulkLineRead]]:
                after = 0
                while chunk := bank.run(bulk.batch_lines, actor, batch_id, after_seq=after, readonly=True):
                    yield chunk
                    after = chunk[-1].seq

            with csv_out.open("w", encoding="utf-8", newline="") as out:
                for piece in bulk.report_csv(chunks()):
                    out.write(piece)
            console.print(f"report written to {csv_out}")
            return
    except CoreBankError as exc:
        refuse(exc)
    t = Table(title="lines" + (" (failed)" if failed else ""))
    for col in ("seq", "end-to-end id", "creditor", "bank", "amount", "status", "reason", "entry/payment"):
        t.add_column(col)
    for ln in report.lines:
        t.add_row(
            str(ln.seq),
            ln.end_to_end_id,
            f"{ln.creditor_account} {ln.creditor_name}",
            ln.creditor_bank_code,
            ln.amount,
            ln.status,
            f"{ln.reason_code} {ln.reason_text}" if ln.reason_code else "",
            str(ln.credit_entry_id or ln.interbank_payment_id or ""),
        )
    console.print(t)
    if report.next_cursor:
        console.print(f"more lines follow; --csv FILE writes all {report.batch.line_count}")


@app.command("bulk-list")
def bulk_list(
    as_user: AsUser = None,
    payer_account: Annotated[str | None, typer.Option("--payer", help="only this payer account")] = None,
    limit: Annotated[int, typer.Option(help="how many, newest first")] = 50,
) -> None:
    """Bulk payment files of your branches, newest first."""
    try:
        bank = build_bank()
        page = bank.run(
            bulk.list_batches,
            staff_actor(bank, as_user),
            payer_account=payer_account,
            limit=limit,
            readonly=True,
        )
    except CoreBankError as exc:
        refuse(exc)
    t = Table(title="bulk payment files")
    for col in ("batch", "status", "message id", "payer", "lines", "total", "failed", "uploaded"):
        t.add_column(col)
    for b in page.items:
        t.add_row(
            str(b.batch_id),
            b.status,
            b.msg_id,
            b.payer_account,
            str(b.line_count),
            f"{b.total} {b.currency}",
            str(b.failed_count),
            f"{b.created_at:%Y-%m-%d %H:%M}",
        )
    console.print(t)
