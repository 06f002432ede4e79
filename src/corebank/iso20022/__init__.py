"""ISO 20022 messages: pacs.008/002/004 for interbank clearing, pain.001 bulk files, camt.053/054 statements.

Imports only the kernel, lxml and the standard library, so both the bank and the clearing house simulator
use it. Every builder writes a document valid against its XSD (shipped in `xsd/`); every parser validates
first and refuses documents of another message type with Iso20022Error.
"""

from corebank.iso20022.camt import build_camt053, build_camt054, parse_camt053, parse_camt054
from corebank.iso20022.errors import Iso20022Error
from corebank.iso20022.models import (
    ACSC,
    ACSP,
    BEPS,
    HVPS,
    RJCT,
    CreditTransfer,
    Notification,
    Pacs002,
    Pacs004,
    Pacs008,
    Pain001Header,
    Pain001Line,
    Pain001PaymentInfo,
    Party,
    PaymentReturn,
    Statement,
    StatementLine,
    TxStatus,
)
from corebank.iso20022.pacs import (
    build_pacs002,
    build_pacs004,
    build_pacs008,
    parse_pacs002,
    parse_pacs004,
    parse_pacs008,
)
from corebank.iso20022.pain001 import build_pain001, iter_pain001, scan_pain001
from corebank.iso20022.schemas import (
    CAMT053,
    CAMT054,
    PACS002,
    PACS004,
    PACS008,
    PAIN001,
    message_name,
    validate,
    xsd_path,
)
from corebank.iso20022.xmltools import CLEARING_BANK_CODE

__all__ = [
    "ACSC",
    "ACSP",
    "BEPS",
    "CAMT053",
    "CAMT054",
    "CLEARING_BANK_CODE",
    "HVPS",
    "PACS002",
    "PACS004",
    "PACS008",
    "PAIN001",
    "RJCT",
    "CreditTransfer",
    "Iso20022Error",
    "Notification",
    "Pacs002",
    "Pacs004",
    "Pacs008",
    "Pain001Header",
    "Pain001Line",
    "Pain001PaymentInfo",
    "Party",
    "PaymentReturn",
    "Statement",
    "StatementLine",
    "TxStatus",
    "build_camt053",
    "build_camt054",
    "build_pacs002",
    "build_pacs004",
    "build_pacs008",
    "build_pain001",
    "iter_pain001",
    "message_name",
    "parse_camt053",
    "parse_camt054",
    "parse_pacs002",
    "parse_pacs004",
    "parse_pacs008",
    "scan_pain001",
    "validate",
    "xsd_path",
]
