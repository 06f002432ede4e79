"""The loan schedule calculator over HTTP: DOMAIN.md's oracle to the fen, and clear refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.http.support import assert_problem

URL = "/api/v1/loans/schedule-preview"
Auth = Callable[[str], dict[str, str]]


def body(**overrides: Any) -> dict[str, Any]:
    """A preview of 100,000.00 CNY at 4.9 % over 12 months, equal installments."""
    return {
        "principal": "100000.00",
        "annual_rate": "4.90",
        "term_months": 12,
        "method": "equal_installment",
        **overrides,
    }


def test_a_teller_previews_the_equal_installment_oracle_to_the_fen(
    app_client: TestClient, auth: Auth
) -> None:
    r = app_client.post(URL, headers=auth("teller"), json=body(first_due_date="2026-01-31"))
    assert r.status_code == 200, r.text
    preview = r.json()
    assert (preview["currency"], preview["principal"], preview["term_months"]) == ("CNY", "100000.00", 12)
    first, last = preview["lines"][0], preview["lines"][-1]
    assert (first["payment"], first["interest"], first["principal"]) == ("8556.17", "408.33", "8147.84")
    assert (first["due_date"], preview["lines"][1]["due_date"]) == ("2026-01-31", "2026-02-28")
    assert (last["period"], last["payment"], last["closing_principal"]) == (12, "8556.12", "0.00")
    assert (preview["total_principal"], preview["total_interest"], preview["total_payment"]) == (
        "100000.00",
        "2673.99",
        "102673.99",
    )


def test_the_equal_principal_oracle_over_http(app_client: TestClient, auth: Auth) -> None:
    r = app_client.post(URL, headers=auth("teller"), json=body(method="equal_principal"))
    assert r.status_code == 200, r.text
    lines = r.json()["lines"]
    assert [lines[0]["payment"], lines[1]["payment"], lines[-1]["payment"]] == [
        "8741.66",
        "8707.64",
        "8367.40",
    ]
    assert (lines[-1]["principal"], lines[-1]["interest"], lines[0]["due_date"]) == ("8333.37", "34.03", None)
    assert r.json()["total_interest"] == "2654.17"


def test_the_preview_needs_a_logged_in_user(app_client: TestClient) -> None:
    r = app_client.post(URL, json=body())
    assert_problem(r, 401, "NOT_AUTHENTICATED")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"term_months": 0}, "INVALID_TERM"),
        ({"term_months": 361}, "INVALID_TERM"),
        ({"annual_rate": "100"}, "INVALID_RATE"),
        ({"annual_rate": "-1.00"}, "INVALID_RATE"),
        ({"annual_rate": "4.12345"}, "INVALID_RATE"),
        ({"method": "balloon"}, "INVALID_METHOD"),
        ({"principal": "0.00"}, "INVALID_AMOUNT"),
        ({"principal": "100.001"}, "INVALID_AMOUNT"),
        ({"principal": 100000}, "INVALID_AMOUNT"),  # a JSON number is not an amount: decimal text only
        ({"annual_rate": 4.9}, "VALIDATION_ERROR"),
        ({"currency": "XYZ"}, "UNSUPPORTED_CURRENCY"),
    ],
)
def test_bad_terms_are_refused_with_a_stable_code(
    app_client: TestClient,
    auth: Auth,
    overrides: dict[str, Any],
    code: str,
) -> None:
    r = app_client.post(URL, headers=auth("teller"), json=body(**overrides))
    assert_problem(r, 422, code)


def test_the_schedule_comes_as_csv_and_as_pdf(app_client: TestClient, auth: Auth) -> None:
    import csv
    import io
    from decimal import Decimal

    from pypdf import PdfReader

    r = app_client.post(URL + "?format=csv", headers=auth("teller"), json=body(method="equal_principal"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    periods, total = rows[:-1], rows[-1]
    assert len(periods) == 12 and total["period"] == "total"
    # DOMAIN.md's equal-principal oracle: month 1 8,741.66, month 12 8,367.40, interest 2,654.17 in all.
    assert (periods[0]["payment"], periods[-1]["payment"], total["interest"]) == (
        "8741.66",
        "8367.40",
        "2654.17",
    )
    assert (
        sum(Decimal(p["principal"]) for p in periods) == Decimal("100000.00") == Decimal(total["principal"])
    )

    pdf = app_client.post(URL + "?format=pdf", headers=auth("teller"), json=body())
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    page = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Repayment schedule" in page and "8556.17" in page and "8556.12" in page and "2673.99" in page

    assert app_client.post(URL + "?format=xlsx", headers=auth("teller"), json=body()).status_code == 422
