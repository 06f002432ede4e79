"""Every invalid request gets a 4xx problem+json answer with a stable code, and leaves the books untouched.

Each case takes a fingerprint of the ledger (entries, lines, every sub-ledger balance, holds and movement rules,
idempotency records and the audit trail) before the request and holds it against the one taken after.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from tests.e2e.http.support import assert_problem, customer_body, key, unique_resident_id
from tests.factories import Staff, funded_account, ledger_state, new_account

API = "/api/v1"
UNKNOWN_ACCOUNT = "000101999999990"


def refused(
    bank: Bank, send: Callable[[], httpx.Response], status: int, code: str, *, ledger_moves: bool = False
) -> dict[str, Any]:
    """Send a request that must be refused with `status` and `code`, and prove nothing was written."""
    before = ledger_state(bank)
    body = assert_problem(send(), status, code)
    after = ledger_state(bank)
    assert after == before, "a refused request changed the books"
    return body


# ---------------------------------------------------------------- the three ways money moves at the counter


def transfer(
    client: TestClient, headers: dict[str, str], account: str, payee: str, **body: Any
) -> httpx.Response:
    payload = {"from_account": account, "to_account": payee, "amount": "10.00", "currency": "CNY", **body}
    return client.post(f"{API}/transfers", headers=headers, json=payload)


def cash_deposit(
    client: TestClient, headers: dict[str, str], account: str, payee: str, **body: Any
) -> httpx.Response:
    payload = {"amount": "10.00", "currency": "CNY", **body}
    return client.post(f"{API}/accounts/{account}/cash-deposits", headers=headers, json=payload)


def cash_withdrawal(
    client: TestClient, headers: dict[str, str], account: str, payee: str, **body: Any
) -> httpx.Response:
    payload = {"amount": "10.00", "currency": "CNY", **body}
    return client.post(f"{API}/accounts/{account}/cash-withdrawals", headers=headers, json=payload)


MOVES = {"transfer": transfer, "cash-deposit": cash_deposit, "cash-withdrawal": cash_withdrawal}
OUTFLOWS = {"transfer": transfer, "cash-withdrawal": cash_withdrawal}
move_kinds = pytest.mark.parametrize("move", list(MOVES))
outflow_kinds = pytest.mark.parametrize("move", list(OUTFLOWS))


def with_key(headers: dict[str, str], idempotency_key: str | None = None) -> dict[str, str]:
    return {**headers, "Idempotency-Key": idempotency_key or key()}


@pytest.fixture(scope="module")
def payer(bank: Bank, staff: Staff) -> str:
    """A Type I account at head office holding exactly 1,000.00 (refused requests never change it)."""
    return funded_account(bank, staff["teller"].actor, "1000.00").number


@pytest.fixture(scope="module")
def payee(bank: Bank, staff: Staff) -> str:
    return new_account(bank, staff["teller"].actor).number


@pytest.fixture(scope="module")
def teller(auth) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return auth("teller")  # type: ignore[no-any-return]


# ---------------------------------------------------------------- amounts

BAD_AMOUNTS = [
    pytest.param("-5.00", id="negative"),
    pytest.param("0", id="zero"),
    pytest.param("0.00", id="zero-with-cents"),
    pytest.param("-0", id="negative-zero"),
    pytest.param("1.001", id="three-decimals"),
    pytest.param("0.005", id="half-a-fen"),
    pytest.param("abc", id="letters"),
    pytest.param("", id="empty"),
    pytest.param("   ", id="blank"),
    pytest.param("12.5.0", id="two-points"),
    pytest.param("1,000.00", id="thousands-separator"),
    pytest.param("1_000.00", id="underscore-separator"),
    pytest.param("1e3", id="exponent"),
    pytest.param("1E+2", id="exponent-upper"),
    pytest.param("0x10", id="hex"),
    pytest.param("١٠٠", id="arabic-indic-digits"),
    pytest.param("NaN", id="nan"),
    pytest.param("sNaN", id="signalling-nan"),
    pytest.param("Infinity", id="infinity"),
    pytest.param("-Infinity", id="minus-infinity"),
    pytest.param("100000000000000000.00", id="beyond-any-balance"),
    pytest.param("1" * 40, id="too-long"),
    pytest.param(12.5, id="json-float"),
    pytest.param(10, id="json-integer"),
    pytest.param(True, id="json-true"),
    pytest.param(None, id="json-null"),
    pytest.param(["10.00"], id="json-list"),
]


@move_kinds
@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_malformed_amount_is_refused_with_invalid_amount(
    app_client: TestClient, bank: Bank, teller: dict[str, str], payer: str, payee: str, move: str, amount: Any
) -> None:
    body = refused(
        bank,
        lambda: MOVES[move](app_client, with_key(teller), payer, payee, amount=amount),
        422,
        "INVALID_AMOUNT",
    )
    assert "amount" in body["detail"].lower()


@move_kinds
def test_missing_amount_is_refused_with_invalid_amount(
    app_client: TestClient, bank: Bank, teller: dict[str, str], payer: str, payee: str, move: str
) -> None:
    def send() -> httpx.Response:
        body = {"from_account": payer, "to_account": payee, "currency": "CNY"}
        path = f"{API}/transfers" if move == "transfer" else f"{API}/accounts/{payer}/{move}s"
        return app_client.post(path, headers=with_key(teller), json=body)

    refused(bank, send, 422, "INVALID_AMOUNT")


def _throwaway_teller(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    """A teller of this test's own, so a till it opens or closes is nobody else's."""
    username, password = f"e2e-bad-{uuid.uuid4().hex[:8]}", "Throwaway-pass-2026"
    r = client.post(
        f"{API}/users",
        headers=admin,
        json={"username": username, "roles": ["teller"], "branch_code": "0001", "password": password},
    )
    assert r.status_code == 201, r.text
    token = client.post(f"{API}/auth/token", data={"username": username, "password": password})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


@pytest.fixture(scope="module")
def own_till(app_client: TestClient, auth) -> tuple[dict[str, str], int]:  # type: ignore[no-untyped-def]
    headers = _throwaway_teller(app_client, auth("admin2"))
    r = app_client.post(f"{API}/tills", headers=headers, json={"opening_cash": "1000.00"})
    assert r.status_code == 201, r.text
    return headers, r.json()["id"]


@pytest.fixture(scope="module")
def no_till(app_client: TestClient, auth) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return _throwaway_teller(app_client, auth("admin2"))


@pytest.fixture(scope="module")
def customer_without_accounts(app_client: TestClient, teller: dict[str, str]) -> str:
    r = app_client.post(f"{API}/customers", headers=teller, json=customer_body())
    assert r.status_code == 201, r.text
    return r.json()["number"]  # type: ignore[no-any-return]


AMOUNT_FIELDS = [
    "hold",
    "partial-freeze",
    "vault-to-till",
    "till-to-vault",
    "till-close",
    "till-open",
    "opening",
]


@pytest.mark.parametrize("field", AMOUNT_FIELDS)
@pytest.mark.parametrize("amount", ["-1.00", "1.001", "1e2", "abc", 12.5])
def test_every_amount_a_request_carries_is_checked(
    app_client: TestClient,
    bank: Bank,
    auth,  # type: ignore[no-untyped-def]
    payer: str,
    own_till: tuple[dict[str, str], int],
    no_till: dict[str, str],
    customer_without_accounts: str,
    field: str,
    amount: Any,
) -> None:
    """Holds, partial freezes, vault cash, till balancing, opening cash and opening deposits all take amounts."""
    mine, till_id = own_till
    teller, supervisor = auth("teller"), auth("supervisor")  # logged in before the books are fingerprinted
    requests = {
        "hold": lambda: app_client.post(
            f"{API}/accounts/{payer}/holds", headers=teller, json={"amount": amount, "reason": "r"}
        ),
        "partial-freeze": lambda: app_client.post(
            f"{API}/accounts/{payer}/freeze",
            headers=supervisor,
            json={"kind": "partial", "amount": amount, "reason": "tax bureau"},
        ),
        "vault-to-till": lambda: app_client.post(
            f"{API}/tills/{till_id}/cash-from-vault", headers=with_key(mine), json={"amount": amount}
        ),
        "till-to-vault": lambda: app_client.post(
            f"{API}/tills/{till_id}/cash-to-vault", headers=with_key(mine), json={"amount": amount}
        ),
        "till-close": lambda: app_client.post(
            f"{API}/tills/{till_id}/close", headers=mine, json={"counted": amount}
        ),
        "till-open": lambda: app_client.post(f"{API}/tills", headers=no_till, json={"opening_cash": amount}),
        "opening": lambda: app_client.post(
            f"{API}/accounts",
            headers=with_key(mine),
            json={"customer_number": customer_without_accounts, "opening_deposit": amount},
        ),
    }
    refused(bank, requests[field], 422, "INVALID_AMOUNT")


# ---------------------------------------------------------------- currency


@move_kinds
@pytest.mark.parametrize("currency", ["USD", "XYZ"])
def test_currency_other_than_the_accounts_is_refused(
    app_client: TestClient,
    bank: Bank,
    teller: dict[str, str],
    payer: str,
    payee: str,
    move: str,
    currency: str,
) -> None:
    refused(
        bank,
        lambda: MOVES[move](app_client, with_key(teller), payer, payee, currency=currency),
        422,
        "CURRENCY_MISMATCH",
    )


@move_kinds
@pytest.mark.parametrize("currency", ["cny", "CNYY", "", 156])
def test_malformed_currency_code_is_a_validation_error(
    app_client: TestClient,
    bank: Bank,
    teller: dict[str, str],
    payer: str,
    payee: str,
    move: str,
    currency: Any,
) -> None:
    body = refused(
        bank,
        lambda: MOVES[move](app_client, with_key(teller), payer, payee, currency=currency),
        422,
        "VALIDATION_ERROR",
    )
    assert any(e["loc"][-1] == "currency" for e in body["errors"])


# ---------------------------------------------------------------- accounts that cannot move money


@move_kinds
def test_unknown_account_is_not_found(
    app_client: TestClient, bank: Bank, teller: dict[str, str], payee: str, move: str
) -> None:
    refused(
        bank,
        lambda: MOVES[move](app_client, with_key(teller), UNKNOWN_ACCOUNT, payee),
        404,
        "ACCOUNT_NOT_FOUND",
    )


def test_transfer_to_unknown_account_is_not_found(
    app_client: TestClient, bank: Bank, teller: dict[str, str], payer: str
) -> None:
    refused(
        bank, lambda: transfer(app_client, with_key(teller), payer, UNKNOWN_ACCOUNT), 404, "ACCOUNT_NOT_FOUND"
    )


def test_transfer_to_the_same_account_is_refused(
    app_client: TestClient, bank: Bank, teller: dict[str, str], payer: str
) -> None:
    refused(bank, lambda: transfer(app_client, with_key(teller), payer, payer), 422, "SAME_ACCOUNT")


@pytest.mark.parametrize(
    ("method", "path", "who", "status", "code"),
    [
        ("GET", f"/accounts/{UNKNOWN_ACCOUNT}", "teller", 404, "ACCOUNT_NOT_FOUND"),
        ("GET", f"/accounts/{UNKNOWN_ACCOUNT}/transactions", "teller", 404, "ACCOUNT_NOT_FOUND"),
        ("GET", "/customers/800000000", "teller", 404, "CUSTOMER_NOT_FOUND"),
        ("GET", "/transfers/987654321", "teller", 404, "TRANSFER_NOT_FOUND"),
        ("GET", "/tills/987654321", "teller", 404, "TILL_NOT_FOUND"),
        ("POST", "/approvals/987654321/approve", "supervisor", 404, "APPROVAL_NOT_FOUND"),
        ("GET", "/ledger/entries/987654321", "accountant", 404, "ENTRY_NOT_FOUND"),
        ("POST", "/users/no-such-user/unlock", "admin2", 404, "USER_NOT_FOUND"),
    ],
)
def test_unknown_objects_are_not_found(
    app_client: TestClient,
    bank: Bank,
    auth,
    method: str,
    path: str,
    who: str,
    status: int,
    code: str,  # type: ignore[no-untyped-def]
) -> None:
    headers = auth(who)
    refused(bank, lambda: app_client.request(method, f"{API}{path}", headers=headers), status, code)


@pytest.fixture(scope="module")
def closed_account(app_client: TestClient, bank: Bank, staff: Staff, teller: dict[str, str]) -> str:
    number = new_account(bank, staff["teller"].actor).number
    r = app_client.post(f"{API}/accounts/{number}/close", headers=with_key(teller), json={})
    assert r.status_code == 200, r.text
    assert r.json()["account"]["status"] == "closed"
    return number


@move_kinds
def test_closed_account_moves_no_money(
    app_client: TestClient, bank: Bank, teller: dict[str, str], closed_account: str, payee: str, move: str
) -> None:
    refused(
        bank,
        lambda: MOVES[move](app_client, with_key(teller), closed_account, payee),
        422,
        "ACCOUNT_CLOSED",
    )


def test_transfer_into_closed_account_is_refused(
    app_client: TestClient, bank: Bank, teller: dict[str, str], payer: str, closed_account: str
) -> None:
    refused(
        bank, lambda: transfer(app_client, with_key(teller), payer, closed_account), 422, "ACCOUNT_CLOSED"
    )


@pytest.fixture(scope="module")
def frozen_account(app_client: TestClient, bank: Bank, staff: Staff, auth) -> str:  # type: ignore[no-untyped-def]
    number = funded_account(bank, staff["teller"].actor, "500.00").number
    r = app_client.post(
        f"{API}/accounts/{number}/freeze",
        headers=auth("supervisor"),
        json={
            "kind": "full",
            "reason": "judicial freeze",
            "authority": "Haidian court",
            "document_no": "F-1",
        },
    )
    assert r.status_code == 201, r.text
    return number


@outflow_kinds
def test_frozen_account_pays_nothing_out(
    app_client: TestClient, bank: Bank, teller: dict[str, str], frozen_account: str, payee: str, move: str
) -> None:
    refused(
        bank,
        lambda: OUTFLOWS[move](app_client, with_key(teller), frozen_account, payee),
        422,
        "ACCOUNT_FROZEN",
    )


@outflow_kinds
@pytest.mark.parametrize("amount", ["1000.01", "5000.00", "60000.00"])
def test_overdraft_past_the_floor_is_refused(
    app_client: TestClient,
    bank: Bank,
    teller: dict[str, str],
    payer: str,
    payee: str,
    move: str,
    amount: str,
) -> None:
    """The account holds 1,000.00 and may not go below zero; 60,000.00 is above the cash authorization
    threshold, and a withdrawal the account cannot cover must not wait for a supervisor either."""
    body = refused(
        bank,
        lambda: OUTFLOWS[move](app_client, with_key(teller), payer, payee, amount=amount),
        422,
        "INSUFFICIENT_FUNDS",
    )
    assert "1000.00" in body["detail"]


@outflow_kinds
def test_held_amount_cannot_be_spent(
    app_client: TestClient,
    bank: Bank,
    staff: Staff,
    teller: dict[str, str],
    payee: str,
    move: str,
) -> None:
    number = funded_account(bank, staff["teller"].actor, "1000.00").number
    r = app_client.post(
        f"{API}/accounts/{number}/holds", headers=teller, json={"amount": "400.00", "reason": "disputed card"}
    )
    assert r.status_code == 201, r.text
    refused(
        bank,
        lambda: OUTFLOWS[move](app_client, with_key(teller), number, payee, amount="600.01"),
        422,
        "INSUFFICIENT_FUNDS",
    )


# ---------------------------------------------------------------- customers


@pytest.mark.parametrize(
    ("id_type", "id_number", "kind"),
    [
        pytest.param("resident_id", "110101199003070000", "individual", id="wrong-check-digit"),
        pytest.param("resident_id", "110101199002300011", "individual", id="no-such-birth-date"),
        pytest.param("resident_id", "11010119900307", "individual", id="too-short"),
        pytest.param("resident_id", "11010119900307001A", "individual", id="letter-not-x"),
        pytest.param("passport", "E-1234567", "individual", id="passport-with-dash"),
        pytest.param("hk_macao_permit", "X12345678", "individual", id="permit-wrong-letter"),
        pytest.param("drivers_licence", "110101199003070011", "individual", id="unknown-id-type"),
        pytest.param("uscc", "91350100M000100Y43", "individual", id="company-code-for-a-person"),
        pytest.param("uscc", "91350100M000100Y44", "corporate", id="uscc-wrong-check"),
        pytest.param("resident_id", "110101199003070011", "corporate", id="person-id-for-a-company"),
    ],
)
def test_invalid_id_number_is_refused(
    app_client: TestClient, bank: Bank, teller: dict[str, str], id_type: str, id_number: str, kind: str
) -> None:
    body = customer_body(type=kind, id_type=id_type, id_number=id_number)
    refused(
        bank, lambda: app_client.post(f"{API}/customers", headers=teller, json=body), 422, "INVALID_ID_NUMBER"
    )


def test_duplicate_customer_is_refused_naming_the_first(
    app_client: TestClient, bank: Bank, teller: dict[str, str]
) -> None:
    id_number = unique_resident_id()
    first = app_client.post(f"{API}/customers", headers=teller, json=customer_body(id_number=id_number))
    assert first.status_code == 201, first.text
    again = customer_body(id_number=id_number)  # another name and phone, the same ID document
    body = refused(
        bank, lambda: app_client.post(f"{API}/customers", headers=teller, json=again), 409, "CUSTOMER_EXISTS"
    )
    assert body["customer_number"] == first.json()["number"]


def test_same_id_document_typed_differently_is_still_a_duplicate(
    app_client: TestClient, bank: Bank, teller: dict[str, str]
) -> None:
    """An ID number ending in X, typed in lower case with spaces, is the same document."""
    id_number = next(n for n in iter(unique_resident_id, None) if n.endswith("X"))
    first = app_client.post(f"{API}/customers", headers=teller, json=customer_body(id_number=id_number))
    assert first.status_code == 201, first.text
    sloppy = f"{id_number[:6]} {id_number[6:14]} {id_number[14:].lower()}"
    again = customer_body(id_number=sloppy)
    refused(
        bank, lambda: app_client.post(f"{API}/customers", headers=teller, json=again), 409, "CUSTOMER_EXISTS"
    )


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        pytest.param({"type": "alien"}, "type", id="unknown-customer-type"),
        pytest.param({"name": ""}, "name", id="empty-name"),
        pytest.param({"risk_level": "extreme"}, "risk_level", id="unknown-risk-level"),
        pytest.param({"birth_date": "1990-02-30"}, "birth_date", id="impossible-birth-date"),
    ],
)
def test_malformed_customer_is_a_validation_error(
    app_client: TestClient, bank: Bank, teller: dict[str, str], patch: dict[str, Any], field: str
) -> None:
    body = refused(
        bank,
        lambda: app_client.post(f"{API}/customers", headers=teller, json=customer_body(**patch)),
        422,
        "VALIDATION_ERROR",
    )
    assert any(e["loc"][-1] == field for e in body["errors"])


def test_customer_without_phone_or_with_a_bad_phone_is_refused(
    app_client: TestClient, bank: Bank, teller: dict[str, str]
) -> None:
    for phone in (None, "12345"):
        refused(
            bank,
            lambda phone=phone: app_client.post(
                f"{API}/customers", headers=teller, json=customer_body(phone=phone)
            ),
            422,
            "INVALID_PHONE",
        )


# ---------------------------------------------------------------- idempotency keys


@move_kinds
@pytest.mark.parametrize("header", [None, "", "   ", "k" * 129], ids=["absent", "empty", "blank", "too-long"])
def test_money_movement_without_a_usable_idempotency_key_is_refused(
    app_client: TestClient,
    bank: Bank,
    teller: dict[str, str],
    payer: str,
    payee: str,
    move: str,
    header: str | None,
) -> None:
    headers = dict(teller) if header is None else {**teller, "Idempotency-Key": header}
    refused(bank, lambda: MOVES[move](app_client, headers, payer, payee), 400, "IDEMPOTENCY_KEY_REQUIRED")


@move_kinds
def test_idempotency_key_reused_with_another_body_is_refused(
    app_client: TestClient, bank: Bank, staff: Staff, teller: dict[str, str], move: str
) -> None:
    account = funded_account(bank, staff["teller"].actor, "1000.00").number
    payee = new_account(bank, staff["teller"].actor).number
    k = key()
    first = MOVES[move](app_client, with_key(teller, k), account, payee, amount="10.00")
    assert first.status_code == 201, first.text
    refused(
        bank,
        lambda: MOVES[move](app_client, with_key(teller, k), account, payee, amount="11.00"),
        409,
        "IDEMPOTENCY_KEY_REUSED",
    )
    refused(
        bank,
        lambda: MOVES[move](app_client, with_key(teller, k), account, payee, amount="10.00", memo="changed"),
        409,
        "IDEMPOTENCY_KEY_REUSED",
    )


# ---------------------------------------------------------------- who may do what


@move_kinds
@pytest.mark.parametrize("who", ["accountant", "credit", "auditor"])
def test_staff_without_the_permission_move_no_money(
    app_client: TestClient,
    bank: Bank,
    auth,
    payer: str,
    payee: str,
    move: str,
    who: str,  # type: ignore[no-untyped-def]
) -> None:
    headers = with_key(auth(who))
    body = refused(bank, lambda: MOVES[move](app_client, headers, payer, payee), 403, "PERMISSION_DENIED")
    assert who in body["detail"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("freeze", {"kind": "full", "reason": "asked by police"}, id="freeze"),
        pytest.param("blocks", {"debit_blocked": True, "reason": "fraud suspicion"}, id="debit-block"),
    ],
)
def test_teller_may_not_freeze_or_block(
    app_client: TestClient, bank: Bank, teller: dict[str, str], payer: str, path: str, body: dict[str, Any]
) -> None:
    refused(
        bank,
        lambda: app_client.post(f"{API}/accounts/{payer}/{path}", headers=teller, json=body),
        403,
        "PERMISSION_DENIED",
    )


@outflow_kinds
def test_teller_of_another_branch_moves_no_money_out_of_this_branch(
    app_client: TestClient,
    bank: Bank,
    auth,
    payer: str,
    payee: str,
    move: str,  # type: ignore[no-untyped-def]
) -> None:
    headers = with_key(auth("east_teller"))
    refused(bank, lambda: OUTFLOWS[move](app_client, headers, payer, payee), 403, "OUT_OF_BRANCH_SCOPE")


def test_supervisor_of_another_branch_may_not_freeze_here(
    app_client: TestClient,
    bank: Bank,
    auth,
    payer: str,  # type: ignore[no-untyped-def]
) -> None:
    headers = auth("east_supervisor")
    refused(
        bank,
        lambda: app_client.post(
            f"{API}/accounts/{payer}/freeze", headers=headers, json={"kind": "full", "reason": "x"}
        ),
        403,
        "OUT_OF_BRANCH_SCOPE",
    )


@move_kinds
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Bearer ", "Basic dGVsbGVyOnB3"],
    ids=["absent", "garbage", "empty", "basic"],
)
def test_money_movement_without_a_valid_token_is_refused(
    app_client: TestClient, bank: Bank, payer: str, payee: str, move: str, authorization: str | None
) -> None:
    headers = with_key({} if authorization is None else {"Authorization": authorization})
    r = refused(bank, lambda: MOVES[move](app_client, headers, payer, payee), 401, "NOT_AUTHENTICATED")
    assert r["status"] == 401


def test_token_signed_with_another_key_is_refused(
    app_client: TestClient, bank: Bank, payer: str, payee: str
) -> None:
    import jwt

    forged = jwt.encode(
        {"sub": "admin2", "uid": 1, "roles": ["admin"], "br": "0001", "exp": 4102444800},
        "not-the-banks-secret-" * 3,
        algorithm="HS256",
    )
    headers = with_key({"Authorization": f"Bearer {forged}"})
    refused(bank, lambda: transfer(app_client, headers, payer, payee), 401, "NOT_AUTHENTICATED")


# ---------------------------------------------------------------- malformed requests


@pytest.mark.parametrize(
    ("content", "missing"),
    [
        pytest.param(b'{"from_account": "x"', None, id="truncated-json"),
        pytest.param(b"amount=10.00", None, id="form-not-json"),
        pytest.param(b'{"amount": "10.00", "currency": "CNY"}', "from_account", id="no-accounts"),
    ],
)
def test_malformed_transfer_body_is_a_validation_error(
    app_client: TestClient, bank: Bank, teller: dict[str, str], content: bytes, missing: str | None
) -> None:
    headers = {**with_key(teller), "Content-Type": "application/json"}
    body = refused(
        bank,
        lambda: app_client.post(f"{API}/transfers", headers=headers, content=content),
        422,
        "VALIDATION_ERROR",
    )
    if missing:
        assert any(e["loc"][-1] == missing for e in body["errors"])


def test_overlong_memo_is_a_validation_error(
    app_client: TestClient, bank: Bank, teller: dict[str, str], payer: str, payee: str
) -> None:
    refused(
        bank,
        lambda: transfer(app_client, with_key(teller), payer, payee, memo="m" * 121),
        422,
        "VALIDATION_ERROR",
    )


def test_refused_requests_left_the_test_accounts_as_they_were(
    app_client: TestClient, teller: dict[str, str], payer: str, payee: str
) -> None:
    """After every refusal above, the payer still holds 1,000.00 and the payee nothing."""
    got = {n: app_client.get(f"{API}/accounts/{n}", headers=teller).json() for n in (payer, payee)}
    assert (got[payer]["balance"], got[payer]["available_balance"]) == ("1000.00", "1000.00")
    assert (got[payee]["balance"], got[payee]["available_balance"]) == ("0.00", "0.00")
