"""Loans: products in the factory, applications, scoring, approval, collateral, contracts, disbursement, schedules,
repayment, delinquency and workouts, and their end-of-day steps (`jobs`). The use cases live in `applications`,
`servicing`, `collateral` and `workouts`; the loan mathematics in `rules`."""

from corebank.loans.errors import InvalidApplicant, InvalidScorecard
from corebank.loans.schemas import ScheduleLineRead, SchedulePreview, SchedulePreviewRequest
from corebank.loans.scoring import (
    DEFAULT_SCORECARD,
    Band,
    Factor,
    FactorScore,
    RatingBand,
    Scorecard,
    ScoreResult,
    score,
    scorecard_from_dict,
    validate_scorecard,
)
from corebank.loans.service import preview_schedule

__all__ = [
    "DEFAULT_SCORECARD",
    "Band",
    "Factor",
    "FactorScore",
    "InvalidApplicant",
    "InvalidScorecard",
    "RatingBand",
    "ScheduleLineRead",
    "SchedulePreview",
    "SchedulePreviewRequest",
    "ScoreResult",
    "Scorecard",
    "preview_schedule",
    "score",
    "scorecard_from_dict",
    "validate_scorecard",
]
