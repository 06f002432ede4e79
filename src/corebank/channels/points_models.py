"""Points (积分): rules, earnings, redemptions and expiry."""

from __future__ import annotations
