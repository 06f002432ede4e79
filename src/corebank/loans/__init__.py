"""Loans: schedules, credit scoring and the loan rules (the lending area is being built; see issue 4)."""

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
