"""The ATM/POS switch: its message journal (idempotency by terminal and STAN) and delayed ATM transfers."""

from __future__ import annotations
