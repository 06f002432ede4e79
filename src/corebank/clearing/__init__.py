"""The CNAPS clearing house simulator: another institution, with its own database and HTTP interface.

It imports only the kernel and the ISO 20022 messages. `create_app(settings)` serves it; `ClearingHouse`
is the same logic for tests and the CLI.
"""

from corebank.clearing.app import create_app
from corebank.clearing.beps import BatchSummary
from corebank.clearing.config import ClearingSettings
from corebank.clearing.delivery import Deliver, DeliveryReport, http_deliverer, routed_deliverer
from corebank.clearing.service import ClearingHouse, ParticipantView
from corebank.clearing.settlement import HEADER as SETTLEMENT_HEADER

__all__ = [
    "SETTLEMENT_HEADER",
    "BatchSummary",
    "ClearingHouse",
    "ClearingSettings",
    "Deliver",
    "DeliveryReport",
    "ParticipantView",
    "create_app",
    "http_deliverer",
    "routed_deliverer",
]
