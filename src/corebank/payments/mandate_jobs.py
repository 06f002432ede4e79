"""End-of-day steps of standing orders and direct debits, run right after bookings stop on the closing date:
standing orders due make their runs, direct debits due (or whose retry is due) are collected, then mandates
whose last day it was expire. The first two work in chunks of ids, each chunk one transaction; every row is
guarded by its date, so running a step again on the same day changes nothing."""

from __future__ import annotations

from corebank.db.batch import BatchStep
from corebank.payments import mandates, standing_orders

EOD_STEPS: tuple[BatchStep, ...] = (
    BatchStep(
        "payments.standing_orders",
        "Run standing orders due",
        chunk=standing_orders.run_due,
        upper_bound=standing_orders.highest_order_id,
        chunk_size=5_000,
    ),
    BatchStep(
        "payments.direct_debits",
        "Collect direct debits due",
        chunk=mandates.collect_due,
        upper_bound=mandates.highest_debit_id,
        chunk_size=5_000,
    ),
    BatchStep(
        "payments.expire_mandates", "Expire mandates past their last day", run=mandates.expire_mandates
    ),
)
