"""The accounts area's end-of-day steps: expire holds and freezes whose date has come; flag dormant accounts."""

from __future__ import annotations

from datetime import date

from corebank.accounts.book import flag_dormant, highest_account_id
from corebank.accounts.holds import expire_holds
from corebank.db.batch import BatchStep
from corebank.db.uow import UnitOfWork


def _dormant_bound(uow: UnitOfWork, day: date) -> int:
    return highest_account_id(uow)


EOD_STEPS: tuple[BatchStep, ...] = (
    BatchStep("accounts.expire_holds", "Expire holds and freezes", run=expire_holds),
    BatchStep(
        "accounts.flag_dormant", "Flag dormant accounts", chunk=flag_dormant, upper_bound=_dormant_bound
    ),
)
