"""Back office, channels: the registry, the fee table (changed by the back office, read by tellers), the limit
table and the channel monitor, over the real app and database."""

from __future__ import annotations

from sqlalchemy import select

from corebank.channels import monitoring
from corebank.channels.registry_models import ChannelClosure
from corebank.products.fee_models import FeeRule


def _closures(bank, channel: str) -> set[str]:  # type: ignore[no-untyped-def]
    return bank.run(
        lambda uow: {
            r[0]
            for r in uow.session.execute(
                select(ChannelClosure.tx_type).where(ChannelClosure.channel == channel)
            ).all()
        },
        readonly=True,
    )


def _fee_rows(bank, tx_type: str) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return bank.run(
        lambda uow: [
            (r.fixed_fee, r.channel)
            for r in uow.session.execute(select(FeeRule).where(FeeRule.tx_type == tx_type)).scalars()
        ],
        readonly=True,
    )


def test_the_channel_manager_closes_and_reopens_one_transaction_type_with_a_reason(console, bank) -> None:
    b = console("admin2")
    page = b.get("/console/channels")
    assert page.status_code == 200 and 'id="registry"' in page.text and "change-form" in page.text
    r = b.post(
        "/console/channels/change",
        {
            "channel": "mobile",
            "tx_type": "bill_payment",
            "reason": "biller outage",
            "confirm": "yes",
            "action": "close",
        },
    )
    assert r.status_code == 200 and r.url.path == "/console/channels"
    assert "bill_payment" in _closures(bank, "mobile")
    assert "biller outage" in r.text
    r = b.post(
        "/console/channels/change",
        {"channel": "mobile", "tx_type": "bill_payment", "confirm": "yes", "action": "open"},
    )
    assert r.status_code == 200 and "bill_payment" not in _closures(bank, "mobile")


def test_closing_without_the_confirmation_changes_nothing(console, bank) -> None:
    b = console("admin2")
    b.get("/console/channels")
    r = b.post("/console/channels/change", {"channel": "atm", "tx_type": "*", "action": "close"})
    assert r.status_code == 422 and "CONFIRMATION_REQUIRED" in r.text
    assert _closures(bank, "atm") == set()
    r = b.post(
        "/console/channels/change",
        {"channel": "atm", "tx_type": "no_such_type", "action": "close", "confirm": "yes"},
    )
    assert r.status_code >= 400 and _closures(bank, "atm") == set()


def test_a_teller_may_read_the_registry_but_not_close_a_channel(console, bank) -> None:
    b = console("teller")
    page = b.get("/console/channels")
    assert page.status_code == 200 and "change-form" not in page.text and "fee-form" not in page.text
    r = b.post("/console/channels/change", {"channel": "internet", "action": "close", "confirm": "yes"})
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
    assert _closures(bank, "internet") == set()


def test_a_user_without_channel_read_gets_the_permission_page(console) -> None:
    b = console("accountant")
    for url in ("/console/channels", "/console/fees", "/console/channels/monitor"):
        r = b.get(url)
        assert r.status_code == 403 and "PERMISSION_DENIED" in r.text


def test_a_fee_changed_in_the_back_office_is_what_the_teller_sees_and_quotes(console, bank) -> None:
    admin = console("admin2")
    admin.get("/console/channels")
    r = admin.post(
        "/console/channels/fees",
        {
            "tx_type": "cheque_book",
            "channel": "counter",
            "tier": "*",
            "branch_code": "*",
            "fixed_fee": "7.50",
            "rate": "0",
            "active": "yes",
        },
    )
    assert r.status_code == 200 and r.url.path == "/console/channels"
    assert _fee_rows(bank, "cheque_book") == [(750, "counter")]
    teller = console("teller")
    fees = teller.get("/console/fees")
    assert fees.status_code == 200 and "cheque_book" in fees.text and "7.50" in fees.text
    q = teller.post(
        "/console/fees/quote",
        {
            "tx_type": "cheque_book",
            "channel": "counter",
            "tier": "standard",
            "branch_code": "0001",
            "amount": "100.00",
        },
    )
    assert q.status_code == 200 and 'id="quote-result"' in q.text and "7.50" in q.text
    # the change is effective for the next quote
    admin.post(
        "/console/channels/fees",
        {
            "tx_type": "cheque_book",
            "channel": "counter",
            "tier": "*",
            "branch_code": "*",
            "fixed_fee": "9.00",
            "rate": "0",
            "active": "yes",
        },
    )
    q = teller.post(
        "/console/fees/quote",
        {
            "tx_type": "cheque_book",
            "channel": "counter",
            "tier": "standard",
            "branch_code": "0001",
            "amount": "100.00",
        },
    )
    assert "9.00" in q.text and _fee_rows(bank, "cheque_book") == [(900, "counter")]


def test_a_negative_fee_is_refused_with_its_code_and_changes_nothing(console, bank) -> None:
    b = console("admin2")
    b.get("/console/channels")
    r = b.post(
        "/console/channels/fees",
        {"tx_type": "stop_payment", "channel": "counter", "fixed_fee": "-5.00", "rate": "0", "active": "yes"},
    )
    assert r.status_code == 422 and "INVALID_FEE_RULE" in r.text
    assert 'value="-5.00"' in r.text  # the input is kept
    assert _fee_rows(bank, "stop_payment") == []
    r = b.post(
        "/console/channels/fees",
        {"tx_type": "stop_payment", "channel": "counter", "fixed_fee": "1", "rate": "abc", "active": "yes"},
    )
    assert r.status_code == 422 and "INVALID_FEE_RULE" in r.text and _fee_rows(bank, "stop_payment") == []


def test_a_teller_cannot_change_a_fee(console, bank) -> None:
    b = console("teller2")
    b.get("/console/fees")
    r = b.post("/console/channels/fees", {"tx_type": "teller_fee", "fixed_fee": "1.00", "active": "yes"})
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
    assert _fee_rows(bank, "teller_fee") == []


def test_a_quote_for_a_bad_amount_shows_the_code(console) -> None:
    b = console("teller")
    b.get("/console/fees")
    r = b.post("/console/fees/quote", {"tx_type": "interbank", "amount": "-3", "channel": "counter"})
    assert r.status_code == 422 and 'id="quote-result"' not in r.text and "alert error" in r.text


def test_the_channel_manager_sets_a_limit_row_and_a_bad_one_changes_nothing(console, bank) -> None:
    b = console("admin2")
    b.get("/console/channels")
    r = b.post(
        "/console/channels/limits",
        {
            "channel": "phone",
            "tx_type": "bill_payment",
            "tier": "gold",
            "account_class": "0",
            "strength": "*",
            "single": "3000.00",
            "daily": "9000.00",
            "count": "5",
        },
    )
    assert r.status_code == 200 and r.url.path == "/console/channels"
    assert "3,000.00" in r.text
    before = r.text.count("<tr")
    r = b.post(
        "/console/channels/limits",
        {"channel": "phone", "tx_type": "bill_payment", "tier": "platinum", "single": "1.00"},
    )
    assert r.status_code == 422 and "INVALID_LIMIT" in r.text
    assert b.get("/console/channels").text.count("<tr") == before


def test_the_monitor_shows_requests_codes_and_latency_by_channel_as_chart_and_table(console) -> None:
    monitoring.observe("mobile", "transfer", "OK", 0.012)
    monitoring.observe("mobile", "transfer", "51", 0.030)
    b = console("teller")
    r = b.get("/console/channels/monitor?minutes=60")
    assert r.status_code == 200
    assert "/static/vendor/chart-4.6.1.umd.min.js" in r.text and 'id="monitor-chart"' in r.text
    assert 'id="monitor-table"' in r.text, r.text[-3000:]
    assert "<code>51</code>" in r.text
    bad = b.get("/console/channels/monitor?minutes=0")
    assert bad.status_code == 422 and "INVALID_REQUEST" in bad.text
