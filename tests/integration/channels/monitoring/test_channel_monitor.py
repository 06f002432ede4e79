"""The channel monitor: real HTTP requests counted per channel by the middleware, an ATM switch's counts (a
direct `observe`, as the switch calls it), flushed to the table; the summary's counts, percentiles and codes;
the Prometheus text; the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corebank.bootstrap import Bank
from corebank.channels import monitoring
from corebank.channels.monitoring_schemas import ChannelMetrics, TxTypeStats
from corebank.cli import channel_monitor as monitor_cli
from corebank.web.app import create_app
from corebank.web.channel_metrics import ChannelMetricsMiddleware
from tests.factories import Staff, new_customer
from tests.factories.channels import customer_session

# A minute of its own, far from the wall clock, so that no other test's traffic shares the window.
ATM_MINUTE = datetime(2031, 1, 6, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def client(bank: Bank, staff: Staff) -> Iterator[TestClient]:
    """The app with the channel middleware (added here unless the app already registers it)."""
    app = create_app(bank)
    if not any(m.cls is ChannelMetricsMiddleware for m in app.user_middleware):
        app.add_middleware(ChannelMetricsMiddleware)
    with TestClient(app) as c:
        yield c


def _item(summary: dict[str, Any], channel: str, tx_type: str) -> dict[str, Any]:
    for it in summary["items"]:
        if it["channel"] == channel and it["tx_type"] == tx_type:
            return it  # type: ignore[no-any-return]
    return {"requests": 0, "ok": 0, "refused": 0, "errors": 0, "codes": {}}


def _summary(client: TestClient, auth: Any, **params: Any) -> dict[str, Any]:
    r = client.get("/api/v1/channels/metrics", params={"minutes": 5, **params}, headers=auth("teller"))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_http_requests_are_counted_by_channel_and_route(
    client: TestClient, bank: Bank, staff: Staff, auth: Any
) -> None:
    cust = new_customer(bank, staff["teller"].actor)
    web = customer_session(bank, cust.number, channel="internet")
    phone = customer_session(bank, cust.number, channel="mobile")
    mine, theirs = "GET /api/v1/me/points", "GET /api/v1/customers/{number}/points"
    before = _summary(client, auth)

    for _ in range(3):
        assert client.get("/api/v1/me/points", headers=web.headers).status_code == 200
    for _ in range(2):
        assert client.get("/api/v1/me/points", headers=phone.headers).status_code == 200
    assert client.get(f"/api/v1/customers/{cust.number}/points", headers=auth("teller")).status_code == 200
    assert client.get("/api/v1/customers/99999999/points", headers=auth("teller")).status_code == 404
    assert client.get(f"/api/v1/customers/{cust.number}/points").status_code == 401
    # Outside any channel: not counted.
    assert client.get("/health").status_code == 200

    def delta(after: dict[str, Any], channel: str, tx: str, field: str) -> Any:
        a, b = _item(after, channel, tx), _item(before, channel, tx)
        if field == "codes":
            return {c: n - b["codes"].get(c, 0) for c, n in a["codes"].items() if n - b["codes"].get(c, 0)}
        return a[field] - b[field]

    # Before the flush the summary adds this process's counts; after it, the table holds them (once).
    for after in (_summary(client, auth), None):
        if after is None:
            assert bank.run(monitoring.flush).rows >= 1
            after = _summary(client, auth)
        assert delta(after, "internet", mine, "requests") == 3
        assert delta(after, "mobile", mine, "requests") == 2
        assert delta(after, "mobile", mine, "codes") == {"200": 2}
        assert delta(after, "counter", theirs, "requests") == 3
        assert delta(after, "counter", theirs, "ok") == 1
        assert delta(after, "counter", theirs, "refused") == 1  # 404: a refusal, not an error
        assert delta(after, "counter", theirs, "errors") == 1  # 401: an error
        assert delta(after, "counter", theirs, "codes") == {"200": 1, "404": 1, "401": 1}
        internet = _item(after, "internet", mine)
        assert internet["p50_ms"] is not None and internet["p99_ms"] >= internet["p50_ms"]
        assert not any(it["tx_type"].endswith("/health") for it in after["items"])

    only_mobile = _summary(client, auth, channel="mobile")
    assert {it["channel"] for it in only_mobile["items"]} == {"mobile"}
    assert [c["tx_type"] for c in only_mobile["channels"]] == ["*"]


def _observe_atm_minute() -> None:
    """100 withdrawals: 50 fast (3 ms) and 40 slower (30 ms) approvals, 5 refused for funds (51, 8 ms) and
    5 system malfunctions (96, 600 ms)."""
    for seconds, code, n in ((0.003, "00", 50), (0.030, "00", 40), (0.008, "51", 5), (0.600, "96", 5)):
        for _ in range(n):
            monitoring.observe("atm", "withdrawal", code, seconds, at=ATM_MINUTE + timedelta(seconds=7))


def test_atm_counts_flushed_give_rates_percentiles_and_codes(bank: Bank, staff: Staff) -> None:
    _observe_atm_minute()
    bank.run(monitoring.flush, now=ATM_MINUTE)
    summary: ChannelMetrics = bank.run(
        monitoring.channel_metrics, staff["teller"].actor, 5, "atm", now=ATM_MINUTE + timedelta(seconds=30)
    )
    (w,) = [it for it in summary.items if it.tx_type == "withdrawal"]
    assert (w.requests, w.ok, w.refused, w.errors) == (100, 90, 5, 5)
    assert (w.success_rate, w.error_rate) == (0.9, 0.05)
    assert w.codes == {"00": 90, "51": 5, "96": 5}
    # Interpolated within the buckets: p50 is the top of (2, 5] ms, p95 the top of (20, 50] ms, and p99
    # four fifths into (500, 1000] ms.
    assert (w.p50_ms, w.p95_ms, w.p99_ms) == (5.0, 50.0, 900.0)
    assert w.mean_ms == pytest.approx((50 * 3 + 40 * 30 + 5 * 8 + 5 * 600) / 100, abs=0.2)
    total: TxTypeStats = summary.channels[0]
    assert (total.channel, total.tx_type, total.requests) == ("atm", "*", 100)

    # The window excludes other minutes: ten minutes later it is empty.
    later = bank.run(
        monitoring.channel_metrics, staff["teller"].actor, 5, "atm", now=ATM_MINUTE + timedelta(minutes=10)
    )
    assert later.items == []


def test_prometheus_text_holds_the_channel_series(client: TestClient) -> None:
    monitoring.observe("atm", "balance_inquiry", "00", 0.004)
    text = monitoring.render().decode()
    assert 'corebank_channel_requests_total{channel="atm",code="00",tx_type="balance_inquiry"}' in text
    assert (
        'corebank_channel_request_seconds_bucket{channel="atm",le="0.005",tx_type="balance_inquiry"}' in text
    )
    assert "# TYPE corebank_channel_alert gauge" in text
    served = client.get("/metrics").text
    assert "corebank_http_requests_total" in served
    assert 'corebank_channel_requests_total{channel="atm",code="00",tx_type="balance_inquiry"}' in served


def test_observe_never_raises() -> None:
    monitoring.observe("atm", "withdrawal", "00", float("nan"))
    monitoring.observe("atm", "withdrawal", None, "not a number")  # type: ignore[arg-type]


def test_summary_refusals(client: TestClient, auth: Any) -> None:
    r = client.get("/api/v1/channels/metrics", params={"channel": "fax"}, headers=auth("teller"))
    assert (r.status_code, r.json()["code"]) == (422, "INVALID_REQUEST")
    r = client.get("/api/v1/channels/metrics", params={"minutes": 0}, headers=auth("teller"))
    assert r.status_code == 422
    assert client.get("/api/v1/channels/metrics", headers=auth("credit")).status_code == 403
    assert client.get("/api/v1/channels/alerts", headers=auth("credit")).status_code == 403
    assert client.get("/api/v1/channels/metrics").status_code == 401


def test_cli_prints_the_summary(bank: Bank, staff: Staff, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(monitor_cli, "build_bank", lambda: bank)
    monkeypatch.setattr(monitor_cli.console, "width", 200)
    monitoring.observe("atm", "withdrawal", "00", 0.012)
    result = CliRunner().invoke(monitor_cli.app, ["--minutes", "10", "--as-user", "teller"])
    assert result.exit_code == 0, result.output
    assert "atm" in result.output and "withdrawal" in result.output
    refused = CliRunner().invoke(monitor_cli.app, ["--minutes", "10", "--as-user", "credit"])
    assert refused.exit_code == 2 and "PERMISSION_DENIED" in refused.output
