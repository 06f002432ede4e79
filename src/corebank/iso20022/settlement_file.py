"""The clearing house's daily settlement file (清算对账文件): not an ISO 20022 message, but the other document
the clearing house and its participant banks share, so both sides take its columns from here.

CSV, UTF-8, this header row, one row per transaction that involved the participant on the settlement date.
"""

from __future__ import annotations

SETTLEMENT_FILE_HEADER: tuple[str, ...] = (
    "settlement_date",
    "system",
    "batch_id",
    "msg_type",
    "msg_id",
    "tx_id",
    "end_to_end_id",
    "original_tx_id",
    "debtor_bank_code",
    "creditor_bank_code",
    "amount",
    "currency",
    "status",
    "direction",
    "settled_at",
)
