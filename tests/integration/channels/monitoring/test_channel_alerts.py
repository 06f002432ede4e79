"""Channel alerts: raised once when a channel's error rate or p99 latency over the window passes its threshold
(with enough requests), audited and published; cleared when the channel is back under. On a bank of its own,
so that its alerts meet no other test's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from corebank.channels import monitoring
from corebank.db.models import AuditRecord, OutboxEvent
from corebank.security import SYSTEM
from tests.integration.conftest import FreshBank

T0 = datetime(2031, 2, 3, 12, 0, tzinfo=UTC)


def _observe(channel: str, tx_type: str, code: str, seconds: float, n: int, at: datetime) -> None:
    for _ in range(n):
        monitoring.observe(channel, tx_type, code, seconds, at=at)


def _standing(fb: FreshBank) -> set[str]:
    return {f"{a.channel}:{a.kind}" for a in fb.bank.run(monitoring.list_alerts, SYSTEM, True, readonly=True)}


def _gauge(channel: str, kind: str) -> str | None:
    prefix = f'corebank_channel_alert{{channel="{channel}",kind="{kind}"}} '
    for line in monitoring.render().decode().splitlines():
        if line.startswith(prefix):
            return line[len(prefix) :]
    return None


def test_error_rate_alert_is_raised_once_and_cleared(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    _observe("phone", "balance_inquiry", "96", 0.010, 20, T0)
    _observe("phone", "balance_inquiry", "00", 0.010, 10, T0)
    done = fb.bank.run(monitoring.flush, now=T0)
    assert done.raised == ["phone:error_rate"]
    assert "phone:error_rate" in _standing(fb)
    (alert,) = [
        a for a in fb.bank.run(monitoring.list_alerts, SYSTEM, True, readonly=True) if a.channel == "phone"
    ]
    assert (alert.kind, alert.value, alert.threshold, alert.requests) == ("error_rate", "0.6667", "0.05", 30)
    assert _gauge("phone", "error_rate") == "1.0"

    # Still over the threshold at the next flush: no second alert.
    _observe("phone", "balance_inquiry", "96", 0.010, 5, T0 + timedelta(minutes=1))
    again = fb.bank.run(monitoring.flush, now=T0 + timedelta(minutes=1))
    assert again.raised == [] and again.cleared == []

    def recorded(uow):  # type: ignore[no-untyped-def]
        audits = uow.session.execute(
            select(AuditRecord.action).where(
                AuditRecord.object_type == "channel", AuditRecord.object_id == "phone"
            )
        ).scalars()
        events = uow.session.execute(
            select(OutboxEvent.name).where(
                OutboxEvent.aggregate == "channel", OutboxEvent.aggregate_id == "phone"
            )
        ).scalars()
        return list(audits), list(events)

    audits, events = fb.bank.run(recorded, readonly=True)
    assert audits == ["channel.alert_raised"] and events == ["ChannelAlertRaised"]

    # Ten minutes on, the window holds only good answers: the alert clears.
    later = T0 + timedelta(minutes=10)
    _observe("phone", "balance_inquiry", "00", 0.010, 40, later)
    cleared = fb.bank.run(monitoring.flush, now=later)
    assert cleared.cleared == ["phone:error_rate"] and cleared.raised == []
    assert "phone:error_rate" not in _standing(fb)
    history = [
        a for a in fb.bank.run(monitoring.list_alerts, SYSTEM, False, readonly=True) if a.channel == "phone"
    ]
    assert history[0].cleared_at is not None and history[0].cleared_value == "0.0000"
    assert _gauge("phone", "error_rate") == "0.0"
    audits, events = fb.bank.run(recorded, readonly=True)
    assert sorted(audits) == ["channel.alert_cleared", "channel.alert_raised"]


def test_latency_alert_on_p99(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    at = T0 + timedelta(hours=1)
    _observe("pos", "purchase", "00", 0.040, 20, at)
    _observe("pos", "purchase", "00", 3.0, 5, at)  # p99 well past 1,000 ms
    done = fb.bank.run(monitoring.flush, now=at)
    assert done.raised == ["pos:latency"]
    (alert,) = [
        a for a in fb.bank.run(monitoring.list_alerts, SYSTEM, True, readonly=True) if a.channel == "pos"
    ]
    assert alert.threshold == "1000" and float(alert.value) > 1000
    later = at + timedelta(minutes=6)
    _observe("pos", "purchase", "00", 0.040, 30, later)
    assert fb.bank.run(monitoring.flush, now=later).cleared == ["pos:latency"]


def test_too_few_requests_raise_nothing(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    at = T0 + timedelta(hours=2)
    _observe("open_api", "transfer", "500", 0.010, 19, at)  # 100 % errors, but under 20 requests
    assert fb.bank.run(monitoring.flush, now=at).raised == []
    assert not any(k.startswith("open_api:") for k in _standing(fb))
