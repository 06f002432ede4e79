"""Bulk payment files (pain.001.001.09: payroll 代发工资, supplier runs): upload, post, and the per-line report.

A file is posted in the request that uploads it, in one transaction (one business command): the whole file is
validated first (schema, counts and control sums, message id, payer, funds), and then accounted for line by
line, or rejected whole with nothing changed. Posting synchronously keeps "accepted" and "posted" the same
moment, so the uploader gets the per-line result in the answer; a 100,000-line file posts in seconds because
every step is set-based or chunked (bench/bulk_payments.py), with memory bounded by the chunk size:

1. the file is read once, streamed: validated against the XSD (counts, control sums, one currency) while
   its lines go into `bulk_lines` in chunks (executemany) under a provisional batch row; the payer checks
   follow, and any error rolls back the lines with everything else;
2. lines to this bank are resolved to accounts and checked (bulk_rules.LINE_CHECKS) by set-based UPDATEs;
3. ONE entry debits the payer the file's total into clearing suspense (1011), in the books of the branches
   that will pay it out;
4. the good internal lines are credited in chunks with `ledger.credit_many` (contra 1011), failed lines are
   refunded to the payer in one entry, and each external line becomes a funded interbank payment (sent by the
   interbank sender), so 1011 keeps exactly the external lines' total.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, insert, select, update

from corebank import accounts, iso20022, ledger
from corebank.db import idempotency
from corebank.db.base import table_of
from corebank.db.fastsql import FastSQL
from corebank.db.uow import UnitOfWork
from corebank.iso20022.pain001 import Pain001Row, read_pain001
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.money import Money, minor_to_text
from corebank.ledger import EntryDraft, Leg, chart
from corebank.payments import interbank
from corebank.payments.bulk_errors import (
    BulkBatchNotFound,
    BulkCurrency,
    DuplicateMessage,
    PayerNotHere,
    SeveralPayers,
)
from corebank.payments.bulk_models import BulkBatch, BulkLine
from corebank.payments.bulk_rules import LINE_CHECKS, credits_by_account, file_sha256
from corebank.payments.bulk_schemas import (
    BulkBatchPage,
    BulkBatchRead,
    BulkBatchReport,
    BulkLineRead,
    batch_read,
    line_read,
    report_csv,
)

__all__ = ["batch_lines", "get_batch", "list_batches", "report_csv", "upload"]
from corebank.security import Actor, P

CREDIT_KIND = "bulk.credit"
FUNDING_KIND = "bulk.debit"
REFUND_KIND = "bulk.refund"
INSERT_CHUNK = 5_000
CREDIT_CHUNK = 10_000

_b, _l = table_of(BulkBatch), table_of(BulkLine)
_LINE_COLUMNS = (
    "batch_id", "seq", "pmt_inf_id", "end_to_end_id", "creditor_account", "creditor_name", "creditor_bank_code",
    "amount", "currency", "remittance", "status", "reason_code", "reason_text",
)  # fmt: skip
# The next chunk of good internal lines to credit, read straight off the driver (plain tuples: 100,000 rows).
_CREDIT_CHUNK = FastSQL("""
    SELECT id, payee_account_id, amount FROM bulk_lines
     WHERE batch_id = :batch_id AND status = 'pending' AND creditor_bank_code = :ours
       AND payee_account_id IS NOT NULL AND id > :lo
     ORDER BY id LIMIT :n
""")
_SENT_EXTERNAL = FastSQL(
    "UPDATE bulk_lines SET status = 'sent_external', interbank_payment_id = :pid WHERE id = :lid"
)


def upload(
    uow: UnitOfWork, actor: Actor, path: Path, idempotency_key: str | None, *, file_name: str = ""
) -> BulkBatchRead:
    """Validate and post a pain.001 file saved at `path` (see the module note); a retry with the same
    Idempotency-Key answers the first result. Rejects the whole file on any file-level error."""
    actor.require(P.PAYMENT_CREATE)
    digest = file_sha256(path)

    def work() -> dict[str, Any]:
        return _post_file(uow, actor, path, digest, file_name).model_dump(mode="json")

    body = {"sha256": digest}
    return BulkBatchRead(**idempotency.once(uow, f"bulk:{actor.username}", idempotency_key, body, work))


def _post_file(uow: UnitOfWork, actor: Actor, path: Path, digest: str, file_name: str) -> BulkBatchRead:
    ours = uow.settings.bank_code
    # One pass over the file: validated while its lines stream into bulk_lines under a provisional batch
    # row; the payer checks follow, in the order they always had, and any error rolls all of it back.
    batch_id = _open_batch(uow, actor, digest, file_name)
    lines = _LineWriter(uow, batch_id, ours)
    header, infos = read_pain001(path, lines.write, chunk=INSERT_CHUNK)
    payer_numbers = {i.debtor_account for i in infos}
    if len(payer_numbers) != 1:
        raise SeveralPayers(f"the file debits {len(payer_numbers)} accounts; one file pays from one account")
    if any(i.debtor_bank_code != ours for i in infos):
        raise PayerNotHere(f"the debtor agent must be this bank ({ours})")
    payer_number = infos[0].debtor_account
    payer = accounts.load_for_posting(uow, [payer_number])[payer_number]
    actor.require_branch(payer.branch_code)
    accounts.check_can_debit(payer)
    taken = uow.conn.execute(
        select(_b.c.id).where(_b.c.payer_account_id == payer.id, _b.c.msg_id == header.msg_id)
    ).first()
    if taken is not None:
        raise DuplicateMessage(f"message {header.msg_id} was already processed as batch {taken.id}")
    total = Money.of(header.control_sum, payer.currency)
    if total.to_minor() > payer.available:
        raise ledger.InsufficientFunds(
            f"account {payer.number} has {minor_to_text(payer.available, payer.currency)} available; "
            f"the file needs {total.text()}"
        )
    accounts.consume_class_limit(uow, payer, total, None)
    if lines.currency and lines.currency != payer.currency:  # the read made sure the file has one currency
        raise BulkCurrency(f"line 1 is in {lines.currency}; the payer account holds {payer.currency}")
    _validated_batch(uow, batch_id, header, infos, payer, total)
    _check_internal_lines(uow, batch_id, ours)
    sums = _sums(uow, batch_id, ours)
    funding = _fund(uow, actor, payer, batch_id, header.msg_id, total, sums)
    _credit_internal(uow, actor, batch_id, ours, header.msg_id, payer.name)
    refund = _refund_failed(uow, actor, payer, batch_id, header.msg_id, sums["failed"][1])
    _send_external(uow, actor, payer, batch_id, ours, funding)
    return _finish(uow, actor, batch_id, funding, refund)


def _open_batch(uow: UnitOfWork, actor: Actor, digest: str, file_name: str) -> int:
    """The batch row the lines are written under while the file is read ("received", no payer yet)."""
    row = {
        "msg_id": "",
        "initiating_party": "",
        "file_name": file_name[:200],
        "file_sha256": digest,
        "payer_account_id": 0,
        "payer_account": "",
        "payer_name": "",
        "branch_code": "",
        "currency": "",
        "requested_execution_date": None,
        "status": "received",
        "line_count": 0,
        "total": 0,
        "error_text": "",
        "created_by": actor.username,
        "created_at": uow.now,
    }
    return int(uow.conn.execute(insert(_b).values(**row).returning(_b.c.id)).scalar_one())


def _validated_batch(
    uow: UnitOfWork,
    batch_id: int,
    header: iso20022.Pain001Header,
    infos: list[iso20022.Pain001PaymentInfo],
    payer: accounts.PostingAccount,
    total: Money,
) -> None:
    uow.conn.execute(
        update(_b)
        .where(_b.c.id == batch_id)
        .values(
            msg_id=header.msg_id,
            initiating_party=(header.initiating_party or "")[:140],
            payer_account_id=payer.id,
            payer_account=payer.number,
            payer_name=(infos[0].debtor_name or payer.name)[:140],
            branch_code=payer.branch_code,
            currency=payer.currency,
            requested_execution_date=infos[0].requested_execution_date,
            status="validated",
            line_count=header.nb_of_txs,
            total=total.to_minor(),
        )
    )


_NOT_A_BANK_CODE = "the creditor bank code is not a 12-digit bank code"


class _LineWriter:
    """Writes the lines `read_pain001` hands on into bulk_lines, a chunk per executemany (COPY on PostgreSQL).
    Lines abroad that clearing could not carry (a bank code not of 12 digits, another currency than the base
    one) fail at once. The rows go to the driver as plain tuples (ints and texts, nothing to adapt)."""

    def __init__(self, uow: UnitOfWork, batch_id: int, ours: str) -> None:
        self.uow, self.batch_id, self.ours = uow, batch_id, ours
        self.base = uow.settings.base_currency
        self.currency = ""
        self.copy = uow.conn.dialect.name == "postgresql"  # COPY there: several times executemany's speed
        columns = ", ".join(_LINE_COLUMNS)
        if self.copy:
            self.sql = f"COPY bulk_lines ({columns}) FROM STDIN"
        else:
            self.sql = f"INSERT INTO bulk_lines ({columns}) VALUES ({', '.join(['?'] * len(_LINE_COLUMNS))})"

    def write(self, lines: list[Pain001Row]) -> None:
        batch_id, ours, base = self.batch_id, self.ours, self.base
        self.currency = self.currency or lines[0].currency
        rows = []
        for seq, pmt_inf_id, e2e, amount, ccy, name, account, bank, remittance in lines:
            status, code, text = "pending", None, ""
            if bank != ours:
                if not (len(bank) == 12 and bank.isdigit()):
                    status, code, text = "failed", "RC01", _NOT_A_BANK_CODE
                elif ccy != base:
                    status, code, text = "failed", "AM03", f"interbank clearing carries {base} only"
            rows.append(
                (batch_id, seq, pmt_inf_id, e2e, account, name[:140], bank[:12], amount, ccy, remittance[:140],
                 status, code, text)
            )  # fmt: skip
        cur = self.uow.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            if self.copy:
                with cur.copy(self.sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cur.executemany(self.sql, rows)
        finally:
            cur.close()


def _check_internal_lines(uow: UnitOfWork, batch_id: int, ours: str) -> None:
    """Resolve the lines to this bank to accounts, then fail those the checks refuse (set-based)."""
    d = accounts.account_directory().subquery()
    la = ledger.subledger_table()
    pending = and_(_l.c.batch_id == batch_id, _l.c.creditor_bank_code == ours, _l.c.status == "pending")
    uow.conn.execute(
        update(_l).where(pending, _l.c.creditor_account == d.c.number).values(payee_account_id=d.c.id)
    )
    for check in LINE_CHECKS:
        stmt = update(_l).where(pending, check.fails(d, la, _l))
        if check.needs == "directory":
            stmt = stmt.where(_l.c.payee_account_id == d.c.id)
        elif check.needs == "ledger":
            stmt = stmt.where(_l.c.payee_account_id == la.c.id)
        uow.conn.execute(
            stmt.values(status="failed", reason_code=check.reason_code, reason_text=check.reason_text)
        )


def _sums(uow: UnitOfWork, batch_id: int, ours: str) -> dict[str, Any]:
    """Count and total of the failed and external lines, and the internal credits to come per payee branch."""
    out: dict[str, Any] = {"failed": (0, 0), "external": (0, 0), "internal": {}}
    ext_n = ext_amt = 0
    for status, bank, n, amt in uow.conn.execute(
        select(_l.c.status, _l.c.creditor_bank_code, func.count(), func.sum(_l.c.amount))
        .where(_l.c.batch_id == batch_id)
        .group_by(_l.c.status, _l.c.creditor_bank_code)
    ):
        if status == "failed":
            f = out["failed"]
            out["failed"] = (f[0] + int(n), f[1] + int(amt))
        elif bank != ours:
            ext_n, ext_amt = ext_n + int(n), ext_amt + int(amt)
    out["external"] = (ext_n, ext_amt)
    la = ledger.subledger_table()
    for branch, amt in uow.conn.execute(
        select(la.c.branch_code, func.sum(_l.c.amount))
        .join_from(_l, la, la.c.id == _l.c.payee_account_id)
        .where(_l.c.batch_id == batch_id, _l.c.status == "pending", _l.c.creditor_bank_code == ours)
        .group_by(la.c.branch_code)
    ):
        out["internal"][branch] = int(amt)
    return out


def _fund(
    uow: UnitOfWork,
    actor: Actor,
    payer: accounts.PostingAccount,
    batch_id: int,
    msg_id: str,
    total: Money,
    sums: dict[str, Any],
) -> int:
    """The one debit of the payer: the file's total into clearing suspense, credited in the branch each
    internal payee's credit will draw it from (the rest, external and failed, in the payer's branch)."""
    cur = payer.currency
    per_branch: dict[str, int] = defaultdict(int, sums["internal"])
    per_branch[payer.branch_code] += sums["external"][1] + sums["failed"][1]
    legs = [Leg.debit(payer.gl_code, payer.branch_code, total, payer.id, f"bulk payment {msg_id}")]
    legs += [
        Leg.credit(chart.CLEARING_SUSPENSE, branch, Money.from_minor(amt, cur), None, f"bulk {batch_id}")
        for branch, amt in sorted(per_branch.items())
        if amt > 0
    ]
    entry = ledger.post(
        uow,
        EntryDraft(FUNDING_KIND, tuple(legs), memo=f"bulk payment file {msg_id} (batch {batch_id})"),
        by=actor.username,
        channel=actor.channel,
    )
    return entry.id


def _credit_internal(
    uow: UnitOfWork, actor: Actor, batch_id: int, ours: str, msg_id: str, payer_name: str
) -> None:
    """Credit the good internal lines, a chunk of lines per entry, contra clearing suspense."""
    todo = and_(
        _l.c.batch_id == batch_id,
        _l.c.status == "pending",
        _l.c.creditor_bank_code == ours,
        _l.c.payee_account_id.is_not(None),
    )
    lo = 0
    while True:
        params = {"batch_id": batch_id, "ours": ours, "lo": lo, "n": CREDIT_CHUNK}
        rows = _CREDIT_CHUNK.execute(uow, params).fetchall()  # (id, payee account id, amount)
        if not rows:
            return
        hi = rows[-1][0]
        entry_id = ledger.credit_many(
            uow,
            kind=CREDIT_KIND,
            memo=f"bulk payment file {msg_id} (batch {batch_id})",
            contra_gl=chart.CLEARING_SUSPENSE,
            credits=credits_by_account((r[1], r[2]) for r in rows),
            by=actor.username,
            narrative=f"from {payer_name}"[:120],
            channel=actor.channel,
        )
        del rows
        uow.conn.execute(
            update(_l)
            .where(todo, _l.c.id > lo, _l.c.id <= hi)
            .values(status="credited", credit_entry_id=entry_id)
        )
        lo = hi


def _refund_failed(
    uow: UnitOfWork, actor: Actor, payer: accounts.PostingAccount, batch_id: int, msg_id: str, failed: int
) -> int | None:
    """Give the failed lines' total back to the payer in one entry (Dr 1011 / Cr payer)."""
    if failed <= 0:
        return None
    amount = Money.from_minor(failed, payer.currency)
    entry = ledger.post(
        uow,
        EntryDraft(
            REFUND_KIND,
            (
                Leg.debit(chart.CLEARING_SUSPENSE, payer.branch_code, amount, None, f"bulk {batch_id}"),
                Leg.credit(
                    payer.gl_code, payer.branch_code, amount, payer.id, f"bulk {msg_id}: failed lines"
                ),
            ),
            memo=f"failed lines of bulk payment file {msg_id} (batch {batch_id})",
        ),
        by=actor.username,
        channel=actor.channel,
    )
    return entry.id


def _send_external(
    uow: UnitOfWork, actor: Actor, payer: accounts.PostingAccount, batch_id: int, ours: str, funding: int
) -> None:
    """Each line to another bank becomes a funded outbound interbank payment (its money is in 1011 already)."""
    todo = and_(_l.c.batch_id == batch_id, _l.c.status == "pending", _l.c.creditor_bank_code != ours)
    lo = 0
    while True:
        rows = uow.conn.execute(
            select(_l).where(todo, _l.c.id > lo).order_by(_l.c.id).limit(INSERT_CHUNK)
        ).all()
        if not rows:
            return
        done = []
        for r in rows:
            pid = interbank.record_funded_outbound(
                uow,
                by=actor.username,
                channel=actor.channel,
                payer_account_id=payer.id,
                payer_account=payer.number,
                payer_name=payer.name,
                branch_code=payer.branch_code,
                creditor_bank_code=r.creditor_bank_code,
                creditor_account=r.creditor_account,
                creditor_name=r.creditor_name,
                amount=Money.from_minor(r.amount, r.currency),
                end_to_end_id=r.end_to_end_id,
                remittance=r.remittance,
                funding_entry_id=funding,
                bulk_line_id=r.id,
            )
            done.append({"pid": pid, "lid": r.id})
        _SENT_EXTERNAL.executemany(uow, done)
        lo = rows[-1].id


def _finish(uow: UnitOfWork, actor: Actor, batch_id: int, funding: int, refund: int | None) -> BulkBatchRead:
    counts: dict[str, tuple[int, int]] = {
        status: (int(n), int(amt))
        for status, n, amt in uow.conn.execute(
            select(_l.c.status, func.count(), func.sum(_l.c.amount))
            .where(_l.c.batch_id == batch_id)
            .group_by(_l.c.status)
        )
    }
    if counts.get("pending"):
        raise InvalidRequest(f"{counts['pending'][0]} lines of batch {batch_id} were left unsettled")
    credited, external, failed = (counts.get(s, (0, 0)) for s in ("credited", "sent_external", "failed"))
    status = "partially_posted" if failed[0] else "posted"
    uow.conn.execute(
        update(_b)
        .where(_b.c.id == batch_id)
        .values(
            status=status,
            credited_count=credited[0],
            credited_total=credited[1],
            external_count=external[0],
            external_total=external[1],
            failed_count=failed[0],
            failed_total=failed[1],
            funding_entry_id=funding,
            refund_entry_id=refund,
            posted_by=actor.username,
            posted_at=uow.now,
        )
    )
    batch = _batch_row(uow, batch_id)
    read = batch_read(batch)
    uow.audit(
        actor,
        "bulk.post",
        "bulk_batch",
        batch_id,
        msg_id=batch.msg_id,
        payer=batch.payer_account,
        lines=batch.line_count,
        total=read.total,
        credited=credited[0],
        external=external[0],
        failed=failed[0],
        sha256=batch.file_sha256,
    )
    uow.publish(
        Event(
            "BulkBatchPosted",
            "bulk_batch",
            str(batch_id),
            {
                "msg_id": batch.msg_id,
                "payer": batch.payer_account,
                "currency": batch.currency,
                "total": batch.total,
                "credited": credited[1],
                "external": external[1],
                "failed": failed[1],
                "status": status,
            },
        )
    )
    return read


# ---------------------------------------------------------------- reading


def _batch_row(uow: UnitOfWork, batch_id: int) -> Any:
    row = uow.conn.execute(select(_b).where(_b.c.id == batch_id)).first()
    if row is None:
        raise BulkBatchNotFound(f"no bulk batch {batch_id}")
    return row


def _visible_batch(uow: UnitOfWork, actor: Actor, batch_id: int) -> Any:
    actor.require(P.PAYMENT_READ)
    batch = _batch_row(uow, batch_id)
    actor.require_branch(batch.branch_code)
    return batch


def batch_lines(
    uow: UnitOfWork, actor: Actor, batch_id: int, *, after_seq: int = 0, limit: int = 1000
) -> list[BulkLineRead]:
    """One chunk of a batch's lines in file order, after line `after_seq` (the CSV report reads chunk after
    chunk, memory bounded)."""
    _visible_batch(uow, actor, batch_id)
    rows = uow.conn.execute(
        select(_l)
        .where(_l.c.batch_id == batch_id, _l.c.seq > after_seq)
        .order_by(_l.c.seq)
        .limit(max(1, min(limit, 10_000)))
    )
    return [line_read(r) for r in rows]


def get_batch(
    uow: UnitOfWork,
    actor: Actor,
    batch_id: int,
    *,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> BulkBatchReport:
    """A batch's summary and one page of its per-line report (optionally only lines of one status)."""
    batch = _visible_batch(uow, actor, batch_id)
    after = _cursor(cursor)
    limit = max(1, min(limit, 1000))
    q = select(_l).where(_l.c.batch_id == batch_id, _l.c.seq > after)
    if status:
        q = q.where(_l.c.status == status)
    rows = uow.conn.execute(q.order_by(_l.c.seq).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return BulkBatchReport(
        batch=batch_read(batch),
        lines=[line_read(r) for r in rows],
        next_cursor=str(rows[-1].seq) if more and rows else None,
    )


def list_batches(
    uow: UnitOfWork,
    actor: Actor,
    *,
    payer_account: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> BulkBatchPage:
    """Batches in the actor's branches, newest first; follow next_cursor."""
    actor.require(P.PAYMENT_READ)
    q = select(_b)
    if payer_account:
        q = q.where(_b.c.payer_account == payer_account)
    if status:
        q = q.where(_b.c.status == status)
    if actor.branches is not None:
        q = q.where(_b.c.branch_code.in_(actor.branches))
    if cursor:
        q = q.where(_b.c.id < _cursor(cursor))
    limit = max(1, min(limit, 200))
    rows = uow.conn.execute(q.order_by(_b.c.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return BulkBatchPage(
        items=[batch_read(r) for r in rows], next_cursor=str(rows[-1].id) if more and rows else None
    )


def _cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    if not cursor.isdigit():
        raise InvalidRequest("cursor is not one this API gave out")
    return int(cursor)
