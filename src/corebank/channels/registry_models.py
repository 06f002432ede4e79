"""The channel registry: each channel and transaction type, open or closed."""

from __future__ import annotations
