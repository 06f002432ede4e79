"""Debit cards and ATM/POS terminals."""

from __future__ import annotations
