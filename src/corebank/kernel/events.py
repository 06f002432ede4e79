"""Domain events, written to the outbox in the same transaction as the change they describe.

Names are in the past tense (`TransferPosted`); consumers (risk, notifications, warehouse) read the outbox by cursor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened: a past-tense name, the aggregate it concerns, and a JSON-ready payload."""

    name: str
    aggregate: str
    aggregate_id: str
    payload: dict[str, Any] = field(default_factory=dict)
