"""Points' end-of-day steps: earning on card spending and holdings, expiry."""

from __future__ import annotations

from corebank.db.batch import BatchStep

EOD_STEPS: tuple[BatchStep, ...] = ()
