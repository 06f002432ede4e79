"""A customer's own settings on the e-channels: payees and notification settings."""

from __future__ import annotations
