"""Internet banking's doors: sign-in with password and SMS code, the session cookie, CSRF, the language cookie,
sign-out, online enrollment, and the home page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from tests.factories import ledger_state
from tests.integration.channels.identity.support import PASSWORD, last_code, login_row, person, wrong
from tests.integration.pages.test_bank_support import customer, enrolled_person, sign_in

__all__ = ["customer"]


def test_a_customer_signs_in_with_password_and_sms_code_and_sees_the_accounts(
    bank: Bank, staff, app_client, auth, pages
) -> None:  # type: ignore[no-untyped-def]
    p = enrolled_person(bank, staff, app_client, auth, balance="1234.56")
    b = pages()
    r = b.get("/bank/login?lang=en")
    assert r.status_code == 200 and 'name="password"' in r.text
    r = b.client.post(
        "/bank/login",
        data={"username": p.login_name, "password": PASSWORD, "csrf": b.csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/bank/login/code"
    page = b.get("/bank/login/code")
    assert p.phone[-4:] in page.text
    r = b.client.post(
        "/bank/login/code", data={"code": last_code(bank, p.phone), "csrf": b.csrf}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/bank"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("corebank_bank_session="))
    assert "Path=/bank" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in the test client; https adds it
    home = b.get("/bank")
    assert home.status_code == 200
    assert p.account in home.text and "1,234.56" in home.text
    assert 'lang="en"' in home.text


def test_a_wrong_password_shows_its_code_and_counts_toward_the_lockout(
    bank: Bank, staff, app_client, auth, pages
) -> None:  # type: ignore[no-untyped-def]
    p = enrolled_person(bank, staff, app_client, auth, balance="")
    b = pages()
    b.get("/bank/login")
    r = b.post("/bank/login", {"username": p.login_name, "password": "Wrong-pass-9"})
    assert r.status_code == 401 and "LOGIN_FAILED" in r.text
    assert login_row(bank, p.login_name)["failed_logins"] == 1
    assert "corebank_bank_session" not in b.client.cookies
    assert b.get("/bank").url.path == "/bank/login"


def test_a_wrong_code_shows_its_code_and_opens_no_session(bank: Bank, staff, app_client, auth, pages) -> None:  # type: ignore[no-untyped-def]
    p = enrolled_person(bank, staff, app_client, auth, balance="")
    b = pages()
    b.get("/bank/login")
    b.post("/bank/login", {"username": p.login_name, "password": PASSWORD})
    r = b.post("/bank/login/code", {"code": wrong(last_code(bank, p.phone))})
    assert r.status_code == 401 and "OTP_INVALID" in r.text
    assert b.get("/bank").url.path == "/bank/login"
    # The right code still works on the same ticket.
    r = b.post("/bank/login/code", {"code": last_code(bank, p.phone)})
    assert r.url.path == "/bank"


def test_a_page_without_a_session_goes_to_sign_in_and_comes_back(
    bank: Bank, staff, app_client, auth, pages
) -> None:  # type: ignore[no-untyped-def]
    b = pages()
    r = b.client.get("/bank/transfers", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/bank/login?next=/bank/transfers"
    p = enrolled_person(bank, staff, app_client, auth, balance="")
    b.get("/bank/login?next=/bank/payees")
    r = b.post("/bank/login", {"username": p.login_name, "password": PASSWORD, "next": "/bank/payees"})
    r = b.post("/bank/login/code", {"code": last_code(bank, p.phone)})
    assert r.url.path == "/bank/payees"


def test_a_staff_console_cookie_does_not_open_internet_banking(console) -> None:  # type: ignore[no-untyped-def]
    b = console("teller")
    assert b.get("/bank").url.path == "/bank/login"


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(customer, bank: Bank) -> None:  # type: ignore[no-untyped-def]
    c = customer()
    before = ledger_state(bank)
    r = c.browser.post("/bank/logout", {}, csrf=False)
    assert r.status_code == 403 and "CSRF_FAILED" in r.text
    r = c.browser.post("/bank/logout", {"csrf": "forged"}, csrf=False)
    assert r.status_code == 403
    assert ledger_state(bank) == before
    assert c.browser.get("/bank").url.path == "/bank"


def test_the_language_cookie_switches_the_pages_and_signing_out_ends_the_session(
    customer, bank: Bank
) -> None:  # type: ignore[no-untyped-def]
    c = customer()
    r = c.browser.client.post(
        "/bank/language",
        data={"language": "en", "back": "/bank", "csrf": c.browser.csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/bank"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("corebank_lang="))
    assert "Path=/bank" in cookie
    assert "My accounts" in c.browser.get("/bank").text
    c.browser.post("/bank/language", {"language": "zh_CN", "back": "/bank"})
    assert "我的账户" in c.browser.get("/bank").text
    before = login_row(bank, c.person.login_name)
    r = c.browser.post("/bank/logout", {})
    assert r.url.path == "/bank/login"
    assert c.browser.get("/bank").url.path == "/bank/login"
    assert login_row(bank, c.person.login_name)["status"] == before["status"] == "active"


def test_a_suspended_login_ends_the_page_session_at_once(customer, app_client, auth) -> None:  # type: ignore[no-untyped-def]
    c = customer()
    r = app_client.post(f"/api/v1/customers/{c.person.number}/ebanking/suspend", headers=auth("teller"))
    assert r.status_code == 200, r.text
    assert c.browser.get("/bank").url.path == "/bank/login"


def test_online_enrollment_then_sign_in(bank: Bank, staff, pages) -> None:  # type: ignore[no-untyped-def]
    p = person(bank, staff["teller"].actor, prefix="online")
    b = pages()
    b.get("/bank/enroll")
    r = b.post("/bank/enroll", {"account_number": p.account, "id_number": p.id_number, "phone": p.phone})
    assert r.status_code == 200 and 'name="enrollment_id"' in r.text, r.text[:1000]
    enrollment_id = r.text.split('name="enrollment_id" value="')[1].split('"')[0]
    code = last_code(bank, p.phone)
    r = b.post(
        "/bank/enroll/finish",
        {
            "enrollment_id": enrollment_id,
            "code": code,
            "login_name": p.login_name,
            "password": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert r.url.path == "/bank/login", r.text[:1000]
    r = sign_in(bank, b, p)
    assert r.url.path == "/bank" and p.account in r.text


def test_online_enrollment_with_details_not_on_file_is_refused(bank: Bank, staff, pages) -> None:  # type: ignore[no-untyped-def]
    p = person(bank, staff["teller"].actor, prefix="nope")
    b = pages()
    b.get("/bank/enroll")
    before = ledger_state(bank)
    r = b.post(
        "/bank/enroll", {"account_number": p.account, "id_number": p.id_number, "phone": "13700000001"}
    )
    assert r.status_code == 422 and "ENROLL" in r.text
    after = ledger_state(bank)
    after.pop("audit"), before.pop("audit")
    assert after == before


def test_each_page_slides_the_idle_timeout_and_a_forged_cookie_is_no_session(customer, bank: Bank) -> None:  # type: ignore[no-untyped-def]
    c = customer()
    r = c.browser.client.get("/bank", follow_redirects=False)
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("corebank_bank_session="))
    age = int(cookie.split("Max-Age=")[1].split(";")[0])
    assert bank.settings.console_idle_minutes * 60 - 5 <= age <= bank.settings.console_idle_minutes * 60
    value = cookie.split(";")[0].split("=", 1)[1]
    forged = value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")
    b2 = TestClient(c.browser.client.app, cookies={"corebank_bank_session": forged})
    r = b2.get("/bank", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/bank/login")
    b2.close()


def test_a_sign_in_post_without_its_token_is_refused(bank: Bank, staff, app_client, auth, pages) -> None:  # type: ignore[no-untyped-def]
    p = enrolled_person(bank, staff, app_client, auth, balance="")
    b = pages()
    b.get("/bank/login")
    r = b.post("/bank/login", {"username": p.login_name, "password": PASSWORD}, csrf=False)
    assert r.status_code == 403 and "CSRF_FAILED" in r.text
    assert login_row(bank, p.login_name)["failed_logins"] == 0


def test_a_copy_of_the_cookie_taken_before_sign_out_stops_working(customer) -> None:  # type: ignore[no-untyped-def]
    c = customer()
    copied = c.browser.client.cookies.get("corebank_bank_session")
    assert copied and c.browser.get("/bank").url.path == "/bank"
    c.browser.post("/bank/logout", {})
    from fastapi.testclient import TestClient

    with TestClient(c.browser.client.app) as thief:
        thief.cookies.set("corebank_bank_session", copied, path="/bank")
        assert thief.get("/bank").url.path == "/bank/login"
