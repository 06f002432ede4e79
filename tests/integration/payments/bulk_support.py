"""Helpers for the bulk payment tests: write a pain.001 payroll file, read balances and the suspense account."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from corebank import iso20022, ledger
from corebank.bootstrap import Bank
from corebank.ledger import chart
from corebank.payments.bulk_models import BulkBatch, BulkLine

OTHER_BANK = "102100099996"  # a 12-digit bank code that is not ours
_seq = itertools.count(1)


@dataclass(frozen=True)
class Pay:
    """One payroll line: who is paid, where, how much."""

    account: str
    amount: str
    bank_code: str
    name: str = "Employee"


def write_pain001(
    path: Path,
    *,
    payer: str,
    lines: list[Pay],
    bank_code: str,
    msg_id: str | None = None,
    nb_of_txs: int | None = None,
    control_sum: str | None = None,
    payer_name: str = "Acme Payroll Ltd",
) -> Path:
    """A pain.001.001.09 payroll file from `payer` (counts and sums right unless told otherwise)."""
    total = sum((Decimal(p.amount) for p in lines), Decimal(0))
    msg_id = msg_id or f"PAYROLL-{next(_seq):06d}-{path.stem[:12]}"
    header = iso20022.Pain001Header(
        msg_id=msg_id[:35],
        created_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        nb_of_txs=len(lines) if nb_of_txs is None else nb_of_txs,
        control_sum=total if control_sum is None else Decimal(control_sum),
        initiating_party=payer_name,
    )
    info = iso20022.Pain001PaymentInfo(
        pmt_inf_id="PMT-1",
        debtor_name=payer_name,
        debtor_account=payer,
        debtor_bank_code=bank_code,
        requested_execution_date=date(2026, 3, 2),
        nb_of_txs=len(lines),
        control_sum=total,
        batch_booking=True,
    )
    tx = [
        iso20022.Pain001Line(
            pmt_inf_id="PMT-1",
            seq=i,
            end_to_end_id=f"E2E-{msg_id[:20]}-{i}",
            amount=Decimal(p.amount),
            currency="CNY",
            creditor_name=p.name,
            creditor_account=p.account,
            creditor_bank_code=p.bank_code,
            remittance="salary March 2026",
        )
        for i, p in enumerate(lines, start=1)
    ]
    iso20022.build_pain001(header, [info], tx, out=path)
    return path


def balance(bank: Bank, number: str) -> Decimal:
    """An account's ledger balance in yuan."""
    from corebank import accounts

    def read(uow: Any) -> Decimal:
        acc = accounts.load_for_posting(uow, [number])[number]
        return Decimal(ledger.balances(uow, [acc.id])[acc.id].balance) / 100

    return bank.run(read, readonly=True)


def suspense(bank: Bank) -> int:
    """Clearing suspense (1011) over all branches, minor units (debit positive)."""

    def read(uow: Any) -> int:
        return sum(
            b
            for gl, _br, _c, b in ledger.gl_balances(uow, uow.business_date)
            if gl == chart.CLEARING_SUSPENSE
        )

    return bank.run(read, readonly=True)


def batch_rows(bank: Bank) -> tuple[int, int]:
    """How many bulk batches and lines the bank holds."""

    def read(uow: Any) -> tuple[int, int]:
        s = uow.session
        return (
            int(s.execute(select(func.count()).select_from(BulkBatch)).scalar_one()),
            int(s.execute(select(func.count()).select_from(BulkLine)).scalar_one()),
        )

    return bank.run(read, readonly=True)


def trial_balance_zero(bank: Bank) -> bool:
    return bank.run(lambda uow: ledger.trial_balance(uow).balanced, readonly=True)
