"""The audit hash names an instant the same way however the database hands the timestamp back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from corebank.db.uow import GENESIS, audit_hash


def _row(at: datetime) -> dict[str, object]:
    return {
        "seq": 1,
        "at": at,
        "actor": "teller",
        "channel": "counter",
        "branch_code": "0001",
        "action": "cash.deposit",
        "object_type": "account",
        "object_id": "1",
        "detail": "{}",
    }


def test_hash_is_the_same_for_aware_naive_and_other_zone_timestamps_even_with_zero_microseconds() -> None:
    aware = datetime(2026, 11, 23, 0, 21, 5, 0, tzinfo=UTC)  # zero microseconds: isoformat would drop them
    naive = aware.replace(tzinfo=None)  # how SQLite gives it back
    shanghai = aware.astimezone(
        timezone(timedelta(hours=8))
    )  # how a PostgreSQL session in UTC+8 gives it back
    assert (
        audit_hash(GENESIS, _row(aware))
        == audit_hash(GENESIS, _row(naive))
        == audit_hash(GENESIS, _row(shanghai))
    )


def test_hash_changes_with_the_instant_and_with_the_previous_hash() -> None:
    at = datetime(2026, 11, 23, 0, 21, 5, 123456, tzinfo=UTC)
    base = audit_hash(GENESIS, _row(at))
    assert audit_hash(GENESIS, _row(at + timedelta(microseconds=1))) != base
    assert audit_hash("1" * 64, _row(at)) != base
