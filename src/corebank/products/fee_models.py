"""The fee table: fees by transaction type, channel, customer tier, branch and amount band."""

from __future__ import annotations
