"""Settings of the clearing house simulator, from COREBANK_CLEARING_* environment variables or the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The only settlement currency of CNAPS: participants' settlement accounts at the central bank hold yuan.
SETTLEMENT_CURRENCY = "CNY"


def _hhmm(text: str) -> time:
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


class ClearingSettings(BaseSettings):
    """How the simulated CNAPS behaves. Money figures are Decimal; `reject_rate` is a probability, not money."""

    model_config = SettingsConfigDict(env_prefix="COREBANK_CLEARING_", extra="ignore")

    database_url: str = "sqlite:///var/clearing.db"
    # HVPS (大额实时支付) settles gross on working days within these local hours. Working days are Monday to
    # Friday: the simulator keeps no holiday calendar (a public holiday is treated as a working day).
    hvps_open: str = "08:30"
    hvps_close: str = "17:15"
    # Tests and demos run at any hour: HVPS then takes payments whatever the wall clock says.
    hvps_always_open: bool = False
    # The zone HVPS hours are read in (China Standard Time; UTC+8 when the zone database is missing).
    timezone: str = "Asia/Shanghai"
    # BEPS (小额批量支付) runs 7x24 up to this single-payment limit and nets queued payments every interval
    # (0: only when asked through POST /admin/beps/settle or `corebank clearing settle-beps`).
    beps_single_limit: Decimal = Decimal("50000.00")
    beps_interval_seconds: float = 5.0
    # Deliveries (pacs.008 to the creditor bank, pacs.004 to the payer's bank, BEPS pacs.002 to the sender)
    # are pushed by a background loop woken after each settlement and at least this often (0: only on demand).
    delivery_interval_seconds: float = 1.0
    delivery_timeout_seconds: float = 10.0
    # A failed delivery waits 2, 4, 8 ... seconds up to this many before the loop tries it again.
    delivery_max_backoff_seconds: float = 60.0
    # For tests only: the probability that a transaction is rejected at random (reason NARR), and the seed
    # of the random generator so a run can be repeated.
    reject_rate: float = 0.0
    seed: int | None = None
    # When set, the admin endpoints (participants, BEPS settle, deliver) need X-Clearing-Admin-Token.
    admin_token: str | None = None

    @field_validator("hvps_open", "hvps_close")
    @classmethod
    def _valid_hhmm(cls, value: str) -> str:
        _hhmm(value)
        return value

    @field_validator("reject_rate")
    @classmethod
    def _probability(cls, value: float) -> float:
        if not 0.0 <= value <= 1.0:
            raise ValueError("reject_rate is a probability between 0 and 1")
        return value

    def zone(self) -> tzinfo:
        """The zone of HVPS hours."""
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(self.timezone)
        except Exception:  # no zone database on this machine: China keeps UTC+8 all year (no DST)
            return timezone(timedelta(hours=8))

    def hvps_open_at(self, now: datetime) -> bool:
        """True when HVPS takes payments at `now` (aware UTC): a working day, within hours, or always open."""
        if self.hvps_always_open:
            return True
        local = now.astimezone(self.zone())
        if not is_working_day(local.date()):
            return False
        return _hhmm(self.hvps_open) <= local.time().replace(tzinfo=None) < _hhmm(self.hvps_close)


def is_working_day(day: date) -> bool:
    """Monday to Friday (no holiday calendar in the simulator)."""
    return day.weekday() < 5


def utc(dt: datetime) -> datetime:
    """An aware UTC timestamp (SQLite hands timestamps back naive)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
