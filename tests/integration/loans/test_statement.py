"""The loan statement (贷款对账单) on a bank of its own whose date moves: a loan disbursed on 1 June, a repayment at
the counter on 11 June and a partial prepayment on 20 June; then the statement for the whole life and for parts
of it, with opening and closing principal, each movement's split and running principal, the totals, the CSV
read back with csv and the PDF read back with pypdf."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pypdf
import pytest
from sqlalchemy import select

from corebank.db.models import AuditRecord
from corebank.kernel.errors import CoreBankError
from corebank.loans import servicing
from corebank.loans.schemas import PrepaymentRequest, RepaymentRead, RepaymentRequest
from corebank.loans.statement import (
    CSV_COLUMNS,
    loan_statement,
    statement_csv,
    write_statement_pdf,
)
from corebank.loans.statement_schemas import LoanStatement, LoanStatementMovement
from tests.factories.loans import MadeLoan, active_loan
from tests.integration.conftest import FRESH_START, FreshBank

REPAID_ON = FRESH_START + timedelta(days=10)
PREPAID_ON = FRESH_START + timedelta(days=19)
BANK_NAME = "CoreBank Demo Commercial Bank"


@dataclass(frozen=True)
class Story:
    loan: MadeLoan
    repayment: RepaymentRead
    prepayment: RepaymentRead


def d(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture(scope="module")
def story(fresh_bank: FreshBank) -> Story:
    fb = fresh_bank
    officer = fb.add_staff("credit", "credit_officer", "0001")
    approver = fb.add_staff("approver", "credit_approver", "0001")
    made = active_loan(fb.bank, fb.teller, officer, approver, balance="20000.00")
    fb.move_to(REPAID_ON)
    repaid = fb.bank.run(
        servicing.repay,
        officer,
        made.loan_number,
        RepaymentRequest(amount="3000.00", from_account=made.account_number),
        f"st-{uuid.uuid4().hex}",
    )
    fb.move_to(PREPAID_ON)
    prepaid = fb.bank.run(
        servicing.prepay,
        officer,
        made.loan_number,
        PrepaymentRequest(amount="10000.00", mode="lower_installment", from_account=made.account_number),
        f"st-{uuid.uuid4().hex}",
    )
    return Story(made, repaid, prepaid)


def statement_of(
    fb: FreshBank, number: str, start: date | None = None, end: date | None = None
) -> LoanStatement:
    return fb.bank.run(loan_statement, fb.actors["credit"], number, start, end)


def test_the_whole_life_shows_each_movement_with_its_split_and_running_principal(
    fresh_bank: FreshBank, story: Story
) -> None:
    st = statement_of(fresh_bank, story.loan.loan_number)
    assert (st.date_from, st.date_to) == (FRESH_START, PREPAID_ON)
    assert (st.borrower_number, st.product_code, st.currency) == (
        story.loan.customer_number,
        "PERSONAL_LOAN_CNY",
        "CNY",
    )
    assert st.borrower_name.startswith("Test Customer")
    assert (st.contract_amount, st.annual_rate, st.method, st.term_months) == (
        "100000.00",
        "4.90",
        "equal_installment",
        12,
    )
    assert (st.status, st.classification) == ("active", "normal")
    assert st.opening_principal == "0.00"

    disb, repay, prepay = st.movements
    assert (disb.booked_on, disb.kind, disb.disbursed, disb.principal_change, disb.principal_balance) == (
        FRESH_START,
        "disbursement",
        "100000.00",
        "100000.00",
        "100000.00",
    )
    assert disb.account == story.loan.account_number and disb.repaid == "0.00"

    r = story.repayment
    assert (repay.booked_on, repay.kind, repay.account) == (REPAID_ON, "counter", story.loan.account_number)
    assert (repay.repaid, repay.penalty, repay.interest, repay.principal, repay.fee) == (
        r.amount,
        r.penalty,
        r.interest,
        r.principal,
        r.fee,
    )
    # Paid early, 3000.00 takes the installment's interest first (DOMAIN.md: 408.33 in month one), then principal.
    assert (repay.interest, repay.principal) == ("408.33", "2591.67")
    assert repay.principal_change == "-2591.67"
    assert repay.principal_balance == r.outstanding_principal == "97408.33"

    p = story.prepayment
    assert (prepay.booked_on, prepay.kind, prepay.principal) == (PREPAID_ON, "prepayment", "10000.00")
    assert (prepay.repaid, prepay.interest, prepay.fee) == (p.amount, p.interest, p.fee)
    assert prepay.principal_balance == p.outstanding_principal == "87408.33"
    # Each movement's split adds up to the money received.
    for m in st.movements:
        assert d(m.repaid) == d(m.penalty) + d(m.interest) + d(m.principal) + d(m.fee) + d(m.recovery)

    loan = fresh_bank.bank.run(
        servicing.get_loan, fresh_bank.actors["credit"], story.loan.loan_number, readonly=True
    )
    assert st.closing_principal == loan.outstanding_principal == "87408.33"
    t = st.totals
    assert (t.movements, t.disbursed, t.principal, t.other_principal) == (3, "100000.00", "12591.67", "0.00")
    assert d(t.repaid) == d(r.amount) + d(p.amount)
    assert d(t.interest) == d(r.interest) + d(p.interest)
    assert d(st.opening_principal) + d(t.disbursed) - d(t.principal) == d(st.closing_principal)


def test_a_part_of_the_life_opens_on_the_principal_then_outstanding(
    fresh_bank: FreshBank, story: Story
) -> None:
    number = story.loan.loan_number
    mid = statement_of(fresh_bank, number, FRESH_START + timedelta(days=1), REPAID_ON + timedelta(days=1))
    assert (mid.opening_principal, mid.closing_principal) == ("100000.00", "97408.33")
    assert [m.kind for m in mid.movements] == ["counter"]
    assert mid.totals.disbursed == "0.00" and mid.totals.principal == "2591.67"

    late = statement_of(fresh_bank, number, PREPAID_ON, None)
    assert (late.opening_principal, late.closing_principal) == ("97408.33", "87408.33")
    assert [m.kind for m in late.movements] == ["prepayment"]

    before = statement_of(fresh_bank, number, date(2026, 5, 1), date(2026, 5, 31))
    assert (before.opening_principal, before.closing_principal, before.movements) == ("0.00", "0.00", [])
    assert before.totals.repaid == "0.00"


def test_reading_a_statement_is_audited(fresh_bank: FreshBank, story: Story) -> None:
    statement_of(fresh_bank, story.loan.loan_number, FRESH_START, PREPAID_ON)

    def last(uow):  # type: ignore[no-untyped-def]
        return uow.session.execute(
            select(AuditRecord.action, AuditRecord.object_id).order_by(AuditRecord.seq.desc()).limit(1)
        ).one()

    assert tuple(fresh_bank.bank.run(last, readonly=True)) == ("loan.statement", story.loan.loan_number)


def test_a_bad_period_and_a_loan_out_of_reach_are_refused(fresh_bank: FreshBank, story: Story) -> None:
    number = story.loan.loan_number
    with pytest.raises(CoreBankError) as err:
        statement_of(fresh_bank, number, PREPAID_ON, FRESH_START)
    assert err.value.code == "INVALID_PERIOD"
    with pytest.raises(CoreBankError) as err:
        statement_of(fresh_bank, "000113999999999")
    assert err.value.code == "LOAN_NOT_FOUND"
    # A teller of another branch may read loans, but not this branch's.
    with pytest.raises(CoreBankError) as err:
        fresh_bank.bank.run(loan_statement, fresh_bank.east_teller, number, None, None)
    assert err.value.code == "LOAN_NOT_FOUND"


def test_the_csv_reads_back_with_csv_and_adds_up(fresh_bank: FreshBank, story: Story) -> None:
    st = statement_of(fresh_bank, story.loan.loan_number)
    body = statement_csv(st)
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert all(row["loan_number"] == st.loan_number and row["currency"] == "CNY" for row in rows)
    header = {row["type"]: row["description"] for row in rows if row["record"] == "loan"}
    assert header["borrower_number"] == st.borrower_number
    assert header["contract_amount"] == "100000.00" and header["annual_rate"] == "4.90 %"
    assert header["period"] == f"{FRESH_START} to {PREPAID_ON}"

    rest = [row for row in rows if row["record"] != "loan"]
    assert [row["record"] for row in rest] == ["opening", "line", "line", "line", "totals", "closing"]
    running = d(rest[0]["principal_balance"])
    for row in rest[1:4]:
        running += d(row["principal_change"])
        assert d(row["principal_balance"]) == running
    assert [row["type"] for row in rest[1:4]] == ["disbursement", "counter", "prepayment"]
    assert rest[2]["interest"] == "408.33" and rest[2]["principal"] == "2591.67"
    totals = rest[4]
    assert (totals["disbursed"], totals["repaid"], totals["principal"]) == (
        st.totals.disbursed,
        st.totals.repaid,
        "12591.67",
    )
    assert rest[5]["principal_balance"] == "87408.33" == str(running)


def test_a_spreadsheet_formula_in_a_name_is_defused() -> None:
    st = _synthetic(0).model_copy(update={"borrower_name": "=HYPERLINK(1)"})
    rows = list(csv.reader(io.StringIO(statement_csv(st).decode("utf-8-sig"))))
    assert ["loan", st.loan_number, "", "borrower_name", "'=HYPERLINK(1)"] == rows[2][:5]


def test_the_pdf_shows_the_loan_and_its_totals(fresh_bank: FreshBank, story: Story) -> None:
    st = statement_of(fresh_bank, story.loan.loan_number)
    out = io.BytesIO()
    write_statement_pdf(st, out, BANK_NAME)
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # A4 landscape
    assert round(float(page.mediabox.width)) == 842 and round(float(page.mediabox.height)) == 595
    text = page.extract_text()
    assert reader.metadata is not None and st.loan_number in (reader.metadata.title or "")
    for needle in (
        st.loan_number,
        BANK_NAME,
        "LOAN STATEMENT",
        st.borrower_number,
        "Opening principal",
        "Closing principal",
        "87408.33",
        "2591.67",
        "408.33",
        st.totals.repaid,
        st.totals.principal,
        st.totals.disbursed,
    ):
        assert needle in text, needle


def _synthetic(n: int) -> LoanStatement:
    """A long loan's statement made by hand: one disbursement of 360000.00, then n repayments of 1000.00."""
    moves = [
        LoanStatementMovement(
            booked_on=date(2026, 1, 1),
            kind="disbursement",
            description="Disbursement",
            account="6222000000000000",
            disbursed="360000.00",
            repaid="0.00",
            penalty="0.00",
            interest="0.00",
            principal="0.00",
            fee="0.00",
            recovery="0.00",
            principal_change="360000.00",
            principal_balance="360000.00",
            entry_id=1,
        )
    ]
    for i in range(1, n + 1):
        moves.append(
            LoanStatementMovement(
                booked_on=date(2026, 1, 1) + timedelta(days=30 * i),
                kind="auto_debit",
                description="Automatic debit",
                account="6222000000000000",
                disbursed="0.00",
                repaid="1000.00",
                penalty="0.00",
                interest="0.00",
                principal="1000.00",
                fee="0.00",
                recovery="0.00",
                principal_change="-1000.00",
                principal_balance=f"{360000 - 1000 * i}.00",
                entry_id=1 + i,
            )
        )
    from datetime import UTC, datetime

    from corebank.loans.statement_schemas import LoanStatementTotals

    return LoanStatement(
        loan_number="000113000100018",
        borrower_number="C0000001",
        borrower_name="王小明",
        product_code="MORTGAGE_CNY",
        product_name="Housing mortgage",
        branch_code="0001",
        currency="CNY",
        contract_amount="360000.00",
        disbursed_amount="360000.00",
        annual_rate="3.95",
        method="equal_principal",
        term_months=360,
        status="active",
        classification="normal",
        maturity_date=date(2056, 1, 1),
        date_from=date(2026, 1, 1),
        date_to=date(2056, 1, 1),
        opening_principal="0.00",
        closing_principal=f"{360000 - 1000 * n}.00",
        movements=moves,
        totals=LoanStatementTotals(
            movements=n + 1,
            disbursed="360000.00",
            repaid=f"{1000 * n}.00",
            penalty="0.00",
            interest="0.00",
            principal=f"{1000 * n}.00",
            fee="0.00",
            recovery="0.00",
            other_principal="0.00",
        ),
        business_date=date(2056, 1, 1),
        generated_at=datetime(2056, 1, 1, 8, 0, tzinfo=UTC),
        generated_by="approver",
    )


def test_a_long_loan_breaks_into_pages_each_with_its_column_titles() -> None:
    st = _synthetic(200)
    out = io.BytesIO()
    write_statement_pdf(st, out, BANK_NAME)
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) >= 5
    for text in pages:
        if "Automatic debit" in text:  # every page of the table has its column titles
            assert "Principal after" in text and "Recovery" in text
    for text in pages[1:]:
        assert f"Loan {st.loan_number}" in text  # the short header on pages after the first
    every = "\n".join(pages)
    # Every movement is drawn once, none lost at a page break.
    balances = [m.principal_balance for m in st.movements]
    assert all(b in every for b in balances)
    assert every.count("Automatic debit") == 200
    assert [f"Page {n} of" in text for n, text in enumerate(pages, 1)] == [True] * len(pages)
    assert "Closing principal" in pages[-1] and "160000.00" in pages[-1]
    assert "Summary" in pages[-1] and "200000.00" in pages[-1]
