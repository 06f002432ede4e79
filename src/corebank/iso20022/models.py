"""The plain values the messages carry. Builders take them, parsers give them back, equal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

HVPS = "HVPS"  # large-value real-time gross settlement: PmtTpInf/ClrChanl RTGS
BEPS = "BEPS"  # bulk electronic payments, settled net in cycles: PmtTpInf/ClrChanl MPNS
SYSTEM_CHANNELS = {HVPS: "RTGS", BEPS: "MPNS"}

ACSC = "ACSC"  # settled
ACSP = "ACSP"  # accepted, settlement pending (BEPS waits for the netting cycle)
RJCT = "RJCT"  # rejected


@dataclass(frozen=True)
class Party:
    """A customer at a bank: name, account number (Id/Othr/Id) and the bank's 12-digit code."""

    name: str
    account: str
    bank_code: str


@dataclass(frozen=True)
class CreditTransfer:
    """One transaction of a pacs.008."""

    tx_id: str
    end_to_end_id: str
    amount: Decimal
    currency: str
    debtor: Party
    creditor: Party
    remittance: str = ""


@dataclass(frozen=True)
class Pacs008:
    """FI-to-FI customer credit transfer: a bank to clearing, or clearing to the receiving bank."""

    msg_id: str
    created_at: datetime
    settlement_date: date
    system: str  # HVPS | BEPS
    instructing_agent: str
    instructed_agent: str
    transactions: tuple[CreditTransfer, ...]


@dataclass(frozen=True)
class TxStatus:
    """What became of one transaction of an original message."""

    original_tx_id: str
    original_end_to_end_id: str
    status: str  # ACSC | ACSP | RJCT
    reason: str | None = None
    info: str = ""


@dataclass(frozen=True)
class Pacs002:
    """Payment status report: the statuses of the transactions of one original message."""

    msg_id: str
    created_at: datetime
    original_msg_id: str
    original_msg_type: str  # "pacs.008.001.09" | "pacs.004.001.10"
    statuses: tuple[TxStatus, ...]


@dataclass(frozen=True)
class PaymentReturn:
    """One returned transaction; debtor and creditor are those of the ORIGINAL payment."""

    return_id: str
    original_msg_id: str
    original_tx_id: str
    original_end_to_end_id: str
    amount: Decimal
    currency: str
    reason: str  # AC01 unknown account, AC04 closed, AC06 blocked, BE01 name mismatch, MS03 other
    debtor: Party
    creditor: Party


@dataclass(frozen=True)
class Pacs004:
    """Payment return message."""

    msg_id: str
    created_at: datetime
    settlement_date: date
    instructing_agent: str
    instructed_agent: str
    returns: tuple[PaymentReturn, ...]


@dataclass(frozen=True)
class Pain001Header:
    """The group header of a customer's pain.001 file."""

    msg_id: str
    created_at: datetime
    nb_of_txs: int
    control_sum: Decimal
    initiating_party: str


@dataclass(frozen=True)
class Pain001PaymentInfo:
    """One PmtInf block: the debtor side shared by its lines. Counts and sums are the file's own when it
    states them, else what the lines add up to."""

    pmt_inf_id: str
    debtor_name: str
    debtor_account: str
    debtor_bank_code: str
    requested_execution_date: date
    nb_of_txs: int
    control_sum: Decimal
    batch_booking: bool


@dataclass(frozen=True)
class Pain001Line:
    """One credit transfer of a pain.001 file; `seq` is its 1-based position in the whole file.
    Creditor fields the file leaves out are "" (the bulk service refuses such a line, not the file)."""

    pmt_inf_id: str
    seq: int
    end_to_end_id: str
    amount: Decimal
    currency: str
    creditor_name: str
    creditor_account: str
    creditor_bank_code: str
    remittance: str


@dataclass(frozen=True)
class StatementLine:
    """One booked movement of the account (one journal line): a camt Ntry."""

    entry_id: str  # the journal entry id: NtryRef and AcctSvcrRef
    amount: Decimal  # positive
    credit: bool  # CdtDbtInd CRDT (True) or DBIT (False)
    booking_date: date
    value_date: date
    narrative: str = ""  # AddtlNtryInf (cut at 500 characters)
    kind: str = ""  # the bank's transaction code (BkTxCd/Prtry/Cd), e.g. the entry kind
    end_to_end_id: str = ""
    counterparty: Party | None = None  # the other side of an interbank payment, when known


@dataclass(frozen=True)
class Statement:
    """A camt.053 account statement for a period. Balances are signed: positive is a credit balance."""

    msg_id: str
    created_at: datetime
    statement_id: str
    account_number: str
    account_name: str
    currency: str
    bank_code: str  # the servicing bank
    date_from: date
    date_to: date
    opening_balance: Decimal
    closing_balance: Decimal
    lines: tuple[StatementLine, ...]


@dataclass(frozen=True)
class Notification:
    """A camt.054 debit/credit notification of one or more entries on an account."""

    msg_id: str
    created_at: datetime
    notification_id: str
    account_number: str
    account_name: str
    currency: str
    bank_code: str
    lines: tuple[StatementLine, ...]
