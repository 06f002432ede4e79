"""Limits by channel, transaction type, tier, account class and authentication strength; their use."""

from __future__ import annotations
