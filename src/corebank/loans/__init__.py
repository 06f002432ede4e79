"""Loans: schedules and the loan rules (the lending area is being built; see issue 4)."""

from corebank.loans.schemas import ScheduleLineRead, SchedulePreview, SchedulePreviewRequest
from corebank.loans.service import preview_schedule

__all__ = ["ScheduleLineRead", "SchedulePreview", "SchedulePreviewRequest", "preview_schedule"]
