"""The ATM switch's end-of-day steps: ATM transfers whose delay has passed are credited to their payees, a
chunk of transfer ids at a time, each chunk one entry (`corebank atm serve` credits them every minute during
the day; this catches whatever is still due, for instance while no switch was running)."""

from __future__ import annotations

from corebank.channels.atm import transfers
from corebank.db.batch import BatchStep

EOD_STEPS: tuple[BatchStep, ...] = (
    BatchStep(
        "channels.atm_transfers_credit",
        "Credit ATM transfers whose delay has passed",
        chunk=transfers.credit_due_chunk,
        upper_bound=transfers.highest_transfer_id,
        chunk_size=5_000,
    ),
)
