"""Transaction signing (dynamic linking): a one-time code bound to a transfer's amount and payee."""

from __future__ import annotations
