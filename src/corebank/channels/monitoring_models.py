"""Channel monitoring: per-minute statistics by channel and transaction type, and alerts."""

from __future__ import annotations
