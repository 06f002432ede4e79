"""The shape of an end-of-day step that an area provides (its `jobs.py`); the `eod` runner runs them.

A step is either one transaction (`run`), or chunked (`chunk` over id ranges up to `upper_bound`): each chunk
is its own transaction, and the runner advances the step's cursor in that same transaction, so a crash
resumes at the chunk that did not commit. Every step must be safe to run again on a day it already did
(for example by guarding each row with the date it was last processed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from corebank.db.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class BatchStep:
    """One end-of-day step. `name` is stable (`area.verb_object`); `title` is what the progress bar shows."""

    name: str
    title: str
    # One transaction for the whole step: (uow, closing date) -> rows touched.
    run: Callable[[UnitOfWork, date], int] | None = None
    # One transaction per chunk: (uow, closing date, lo, hi) -> rows touched, for ids in (lo, hi].
    chunk: Callable[[UnitOfWork, date, int, int], int] | None = None
    # The highest id the chunked step may touch on that date (0 when there is nothing to do).
    upper_bound: Callable[[UnitOfWork, date], int] | None = None
    chunk_size: int | None = None  # None: the setting `eod_chunk_size`
