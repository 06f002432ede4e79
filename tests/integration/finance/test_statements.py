"""Account statements (对账单) through the service layer, on a bank of its own whose business date moves:
opening balance from before the period, every line with its running balance, interest marked, totals, the
closing balance checked; CSV and PDF read back; branch scope; the period rules; the command line."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from corebank import accounts, finance, ledger
from corebank.accounts.models import DepositAccount
from corebank.bootstrap import Bank
from corebank.cli import statements as statements_cli
from corebank.cli.main import app as cli_app
from corebank.db.models import AuditRecord
from corebank.finance import statements
from corebank.kernel.errors import InvalidRequest, OutOfScope
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.security import Actor
from tests.factories import new_account, new_customer
from tests.integration.conftest import FreshBank

JUNE, JULY, AUGUST = date(2026, 6, 1), date(2026, 7, 2), date(2026, 8, 3)
MANY = 70  # lines on the busy account: more than one PDF page


def key() -> str:
    return f"stmt-{uuid.uuid4().hex}"


def cash_in(bank: Bank, actor: Actor, number: str, amount: str, memo: str = "") -> None:
    bank.run(accounts.cash_deposit, actor, number, accounts.CashOperation(amount=amount, memo=memo), key())


def cash_out(bank: Bank, actor: Actor, number: str, amount: str) -> None:
    bank.run(accounts.cash_withdrawal, actor, number, accounts.CashOperation(amount=amount), key())


def _book_interest(uow: Any, number: str, amount: str, value_date: date) -> None:
    acc = uow.session.execute(select(DepositAccount).where(DepositAccount.number == number)).scalar_one()
    money = Money.of(amount, acc.currency)
    ledger.post(
        uow,
        EntryDraft(
            "interest_settlement",
            (
                Leg.debit(chart.INTEREST_PAYABLE, acc.branch_code, money),
                Leg.credit(acc.gl_code, acc.branch_code, money, acc.id, "demand interest"),
            ),
            memo="demand deposit interest",
            value_date=value_date,
        ),
        by="system",
        channel="system",
    )


@dataclass(frozen=True)
class Story:
    fresh: FreshBank
    number: str  # held by 张三丰: 1000.00 in June; July +250.50, -100.00, interest +1.23; August +40.00
    busy: str  # MANY deposits of 1.00 .. MANY.00 in August

    @property
    def bank(self) -> Bank:
        return self.fresh.bank


@pytest.fixture(scope="module")
def story(fresh_bank: FreshBank) -> Story:
    bank, teller = fresh_bank.bank, fresh_bank.teller
    assert fresh_bank.business_date() == JUNE
    holder = new_customer(bank, teller, name="张三丰")
    number = new_account(bank, teller, holder.number).number
    cash_in(bank, teller, number, "1000.00", "opening deposit")
    fresh_bank.move_to(JULY)
    cash_in(bank, teller, number, "250.50", "=salary July")
    cash_out(bank, teller, number, "100.00")
    bank.run(_book_interest, number, "1.23", date(2026, 7, 21))
    fresh_bank.move_to(AUGUST)
    cash_in(bank, teller, number, "40.00")
    busy = new_account(bank, teller).number
    for i in range(1, MANY + 1):
        cash_in(bank, teller, busy, f"{i}.00", f"deposit number {i}")
    return Story(fresh_bank, number, busy)


def header(s: Story, actor: Actor, number: str, period: finance.StatementPeriod) -> finance.Statement:
    return s.bank.run(finance.account_statement, actor, number, period)  # type: ignore[no-any-return]


def issue(
    s: Story,
    number: str,
    period: finance.StatementPeriod,
    fmt: finance.StatementFormat,
    actor: Actor | None = None,
) -> tuple[finance.Statement, finance.StatementTotals, bytes]:
    """Issue a statement as an adapter does: the header, then the lines in a read-only transaction."""
    actor = actor or s.fresh.teller
    st = header(s, actor, number, period)
    out = io.BytesIO()
    totals = s.bank.run(finance.write_statement, actor, st, fmt, out, readonly=True)
    return st, totals, out.getvalue()


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


# ---------------------------------------------------------------- header and lines


def test_july_statement_opens_with_june_balance_and_closes_after_interest(story: Story) -> None:
    st, totals, _ = issue(story, story.number, finance.month_period("2026-07"), "csv")
    assert (st.opening, st.closing) == (100000, 115173)
    assert st.holder_name == "张三丰"
    assert st.currency == "CNY"
    assert st.bank_name == story.bank.settings.bank_name
    assert (totals.lines, totals.credits, totals.debits, totals.interest) == (3, 25173, 10000, 123)
    assert totals.closing == st.closing


def test_every_line_carries_its_running_balance_and_interest_is_recognised(story: Story) -> None:
    teller = story.fresh.teller
    st = header(story, teller, story.number, finance.month_period("2026-07"))
    lines = story.bank.run(lambda uow: list(finance.statement_lines(uow, teller, st)), readonly=True)
    assert [(ln.amount, ln.balance, ln.is_interest) for ln in lines] == [
        (25050, 125050, False),
        (-10000, 115050, False),
        (123, 115173, True),
    ]
    interest = lines[-1]
    assert interest.kind == "interest_settlement"
    assert (interest.booking_date, interest.value_date) == (JULY, date(2026, 7, 21))
    assert (interest.credit, interest.debit) == (123, 0)
    assert (lines[1].debit, lines[1].credit) == (10000, 0)


def test_month_without_movements_has_equal_opening_and_closing(story: Story) -> None:
    st, totals, data = issue(story, story.number, finance.month_period("2026-09"), "csv")
    assert st.opening == st.closing == 119173
    assert st.last_line_id is None
    assert totals.lines == 0
    rows = csv_rows(data)
    assert [r["record"] for r in rows] == ["opening", "totals", "interest", "closing"]
    assert rows[0]["balance"] == rows[-1]["balance"] == "1191.73"


def test_first_month_opens_at_zero(story: Story) -> None:
    st, totals, _ = issue(story, story.number, finance.month_period("2026-06"), "csv")
    assert (st.opening, st.closing, totals.lines) == (0, 100000, 1)


def test_statement_reading_is_audited(story: Story) -> None:
    def count(uow: Any) -> int:
        q = select(func.count()).where(
            AuditRecord.action == "account.statement", AuditRecord.object_id == story.number
        )
        return int(uow.session.execute(q).scalar_one())

    before = story.bank.run(count, readonly=True)
    issue(story, story.number, finance.month_period("2026-07"), "csv")
    assert story.bank.run(count, readonly=True) == before + 1


# ---------------------------------------------------------------- CSV


def test_csv_statement_rows_add_up_from_opening_to_closing(story: Story) -> None:
    _, _, data = issue(story, story.number, finance.month_period("2026-07"), "csv")
    rows = csv_rows(data)
    assert list(rows[0]) == list(statements.CSV_COLUMNS)
    assert [r["record"] for r in rows] == ["opening", "line", "line", "line", "totals", "interest", "closing"]
    opening, closing = rows[0], rows[-1]
    assert (opening["booking_date"], opening["balance"]) == ("2026-07-01", "1000.00")
    assert (closing["booking_date"], closing["balance"]) == ("2026-07-31", "1151.73")
    running = Decimal(opening["balance"])
    for r in rows[1:4]:
        running += Decimal(r["credit"] or "0") - Decimal(r["debit"] or "0")
        assert Decimal(r["balance"]) == running
        assert r["currency"] == "CNY"
    assert running == Decimal(closing["balance"])
    deposit_row, withdrawal_row, interest_row = rows[1:4]
    assert deposit_row["description"] == "'=salary July"  # a spreadsheet must not run it as a formula
    assert (withdrawal_row["debit"], withdrawal_row["credit"]) == ("100.00", "")
    assert (interest_row["type"], interest_row["interest"], interest_row["credit"]) == (
        "interest_settlement",
        "yes",
        "1.23",
    )
    assert interest_row["value_date"] == "2026-07-21"
    totals, interest = rows[4], rows[5]
    assert (totals["debit"], totals["credit"]) == ("100.00", "251.73")
    assert (interest["debit"], interest["credit"]) == ("0.00", "1.23")


def test_csv_statement_in_small_chunks_matches_one_chunk(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    period = finance.month_period("2026-08")
    _, whole_totals, whole = issue(story, story.busy, period, "csv")
    monkeypatch.setattr(statements, "CHUNK", 7)
    _, totals, chunked = issue(story, story.busy, period, "csv")
    assert chunked == whole
    assert totals.lines == whole_totals.lines == MANY
    assert totals.credits == sum(range(1, MANY + 1)) * 100


# ---------------------------------------------------------------- PDF


def test_pdf_statement_reads_back_with_header_lines_and_totals(story: Story) -> None:
    _, _, data = issue(story, story.number, finance.month_period("2026-07"), "pdf")
    assert data.startswith(b"%PDF-")
    pages = pdf_text(data)
    assert len(pages) == 1
    text = pages[0]
    for expected in (
        story.bank.settings.bank_name,
        story.number,
        "张三丰",
        "CNY",
        "2026-07-01 to 2026-07-31",
        "1000.00",  # opening
        "1151.73",  # closing
        "250.50",
        "100.00",
        "[Interest] demand deposit interest",
        "251.73",  # total credits
        "Page 1 of",
    ):
        assert expected in text, (expected, text)


def test_long_pdf_statement_runs_over_pages_numbered_n_of_total(story: Story) -> None:
    st, _, data = issue(story, story.busy, finance.month_period("2026-08"), "pdf")
    pages = pdf_text(data)
    assert len(pages) >= 2
    total = len(pages)
    for n, text in enumerate(pages, 1):
        assert f"Page {n} of" in text
        assert f"Page {n} of {total}" in text.replace(" \n", " ").replace("\n", " ")
        assert story.busy in text
    assert st.text(st.closing) in pages[-1]
    assert f"{MANY}.00" in "".join(pages)


# ---------------------------------------------------------------- checks and rights


def test_statement_withheld_when_lines_do_not_add_up(story: Story, monkeypatch: pytest.MonkeyPatch) -> None:
    real = accounts.statement_chunk

    def losing_a_line(*args: Any, **kwargs: Any) -> list[accounts.Transaction]:
        chunk: list[accounts.Transaction] = real(*args, **kwargs)
        return [t for t in chunk if t.amount != "-100.00"]

    monkeypatch.setattr(accounts, "statement_chunk", losing_a_line)
    with pytest.raises(finance.StatementOutOfBalance):
        issue(story, story.number, finance.month_period("2026-07"), "pdf")


def test_teller_of_another_branch_may_not_read_the_statement(story: Story) -> None:
    with pytest.raises(OutOfScope):
        header(story, story.fresh.east_teller, story.number, finance.month_period("2026-07"))
    st = header(story, story.fresh.teller, story.number, finance.month_period("2026-07"))
    with pytest.raises(OutOfScope):
        story.bank.run(
            finance.write_statement, story.fresh.east_teller, st, "csv", io.BytesIO(), readonly=True
        )


@pytest.mark.parametrize(
    ("args", "start", "end"),
    [
        ({"month": "2026-02"}, date(2026, 2, 1), date(2026, 2, 28)),
        ({"month": "2028-02"}, date(2028, 2, 1), date(2028, 2, 29)),
        ({"month": "2026-12"}, date(2026, 12, 1), date(2026, 12, 31)),
        ({"start": "2026-03-05", "end": "2026-03-05"}, date(2026, 3, 5), date(2026, 3, 5)),
        ({"start": "2027-01-01", "end": "2028-01-01"}, date(2027, 1, 1), date(2028, 1, 1)),  # 366 days
    ],
)
def test_period_from_month_or_dates(args: dict[str, str], start: date, end: date) -> None:
    assert finance.parse_period(**args) == finance.StatementPeriod(start, end)


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"start": "2026-03-01"},
        {"month": "2026-13"},
        {"month": "March"},
        {"month": "2026-03", "start": "2026-03-01", "end": "2026-03-31"},
        {"start": "2026-04-01", "end": "2026-03-31"},
        {"start": "2026-01-01", "end": "2027-01-02"},  # 367 days
        {"start": "2026-02-30", "end": "2026-03-31"},
    ],
)
def test_bad_period_is_refused(args: dict[str, str]) -> None:
    with pytest.raises(finance.InvalidPeriod) as err:
        finance.parse_period(**args)
    assert err.value.code == "INVALID_PERIOD" and err.value.status == 422


def test_format_is_pdf_or_csv() -> None:
    assert finance.parse_format(None) == "csv"
    assert finance.parse_format("PDF") == "pdf"
    with pytest.raises(InvalidRequest) as err:
        finance.parse_format("xlsx")
    assert err.value.code == "INVALID_REQUEST"


# ---------------------------------------------------------------- command line


@pytest.fixture
def cli(story: Story, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setattr(statements_cli, "build_bank", lambda: story.bank)
    yield CliRunner()


def test_cli_writes_pdf_statement_as_a_named_teller(story: Story, cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "july.pdf"
    r = cli.invoke(
        cli_app, ["statement", story.number, "--month", "2026-07", "--out", str(out), "--as-user", "teller"]
    )
    assert r.exit_code == 0, r.output
    assert "closing 1151.73 CNY" in r.output
    text = pdf_text(out.read_bytes())[0]
    assert story.number in text and "1151.73" in text


def test_cli_writes_csv_for_dates_as_system(story: Story, cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "stmt.txt"
    r = cli.invoke(
        cli_app,
        [
            "statement",
            story.number,
            "--from",
            "2026-06-01",
            "--to",
            "2026-08-31",
            "--format",
            "csv",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    rows = csv_rows(out.read_bytes())
    assert (rows[0]["balance"], rows[-1]["balance"]) == ("0.00", "1191.73")


def test_cli_refuses_out_of_scope_user_and_leaves_no_file(
    story: Story, cli: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "east.csv"
    r = cli.invoke(
        cli_app,
        ["statement", story.number, "--month", "2026-07", "--out", str(out), "--as-user", "east_teller"],
    )
    assert r.exit_code == 2
    assert "OUT_OF_BRANCH_SCOPE" in r.output
    assert not out.exists() and not list(tmp_path.iterdir())
    r = cli.invoke(cli_app, ["statement", story.number, "--month", "2026-7x", "--out", str(out)])
    assert r.exit_code == 2 and "INVALID_PERIOD" in r.output
