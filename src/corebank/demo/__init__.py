"""The demo bank behind `corebank init --demo` and `corebank demo`: a second branch, staff in every role,
1,000 customers with about 1,500 accounts, and 60 business days of counter work ending on today's date.

Every change goes through the real service functions, so the demo obeys the same rules as a teller would.
It is deterministic: one seeded generator decides everything (only wall-clock timestamps differ between
runs). To be fast, many commands share one transaction (services never commit). Because a refused command
rolls back its whole batch, the planner keeps its own model of every balance, hold, till and class limit,
and only asks for what the rules allow.
"""

from corebank.demo.common import DEMO_DAYS, DEMO_PASSWORD
from corebank.demo.loader import is_empty, load

__all__ = ["DEMO_DAYS", "DEMO_PASSWORD", "is_empty", "load"]
