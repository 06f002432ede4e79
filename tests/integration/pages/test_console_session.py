"""The staff console's session: sign-in, CSRF, language, sign-out, error pages and ending sessions."""

from __future__ import annotations

from sqlalchemy import select

from corebank.db.models import AuditRecord
from corebank.security import service as security
from corebank.security.models import StaffUser


def _audits(bank, action: str) -> int:  # type: ignore[no-untyped-def]
    return bank.run(
        lambda uow: len(
            uow.session.execute(select(AuditRecord.seq).where(AuditRecord.action == action)).all()
        ),
        readonly=True,
    )


def test_sign_in_sets_a_scoped_http_only_cookie_and_shows_the_home_page(pages, staff) -> None:
    b = pages()
    r = b.get("/console/login")
    assert r.status_code == 200 and 'name="password"' in r.text
    r = b.client.post(
        "/console/login",
        data={"username": "teller", "password": staff["teller"].password, "csrf": b.csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/console"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("corebank_session="))
    assert "Path=/console" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = b.get("/console")
    assert home.status_code == 200 and "teller" in home.text


def test_a_wrong_password_shows_the_error_code_and_no_session(pages, staff) -> None:
    b = pages()
    b.get("/console/login")
    r = b.post("/console/login", {"username": "teller", "password": "wrong-password-9"})
    assert r.status_code == 401
    assert "LOGIN_FAILED" in r.text
    assert "corebank_session" not in b.client.cookies
    assert b.get("/console").url.path == "/console/login"


def test_a_page_without_a_session_redirects_to_sign_in_and_back(pages, staff) -> None:
    b = pages()
    r = b.client.get("/console?x=1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/login?next=/console")


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(console, bank) -> None:
    b = console("teller2")
    before = _audits(bank, "user.language")
    r = b.post("/console/language", {"language": "en", "back": "/console"}, csrf=False)
    assert r.status_code == 403 and "CSRF_FAILED" in r.text
    r = b.post("/console/language", {"language": "en", "back": "/console", "csrf": "forged"}, csrf=False)
    assert r.status_code == 403
    assert _audits(bank, "user.language") == before
    uid = staff_id(bank, "teller2")
    assert bank.run(security.staff_state, uid, readonly=True).language == "zh_CN"


def staff_id(bank, name: str) -> int:  # type: ignore[no-untyped-def]
    return bank.run(
        lambda uow: uow.session.execute(select(StaffUser.id).where(StaffUser.username == name)).scalar_one(),
        readonly=True,
    )


def test_the_language_is_kept_in_the_profile_and_every_page_speaks_it(console, bank) -> None:
    b = console("auditor")
    assert 'lang="zh-CN"' in b.get("/console").text
    r = b.post("/console/language", {"language": "en", "back": "/console"})
    assert r.status_code == 200 and 'lang="en"' in r.text
    assert bank.run(security.staff_state, staff_id(bank, "auditor"), readonly=True).language == "en"
    again = console("auditor")  # a new sign-in takes the language from the profile
    assert 'lang="en"' in again.get("/console").text
    r = b.post("/console/language", {"language": "xx", "back": "/console"})
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text
    b.post("/console/language", {"language": "zh_CN", "back": "/console"})


def test_sign_out_ends_the_session(console) -> None:
    b = console("accountant")
    r = b.post("/console/logout")
    assert r.url.path == "/console/login"
    assert b.get("/console").url.path == "/console/login"


def test_changing_the_password_ends_open_sessions(console, bank, staff) -> None:
    b = console("risk")
    assert b.get("/console").url.path == "/console"
    bank.run(
        security.change_password, staff["risk"].actor, "risk", staff["risk"].password
    )  # token version +1
    assert b.get("/console").url.path == "/console/login"


def test_errors_are_pages_with_the_code_on_console_paths_and_problem_json_on_the_api(
    console, app_client
) -> None:
    b = console("teller")
    r = b.get("/console/no-such-page")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "NOT_FOUND" in r.text and "Traceback" not in r.text
    api = app_client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


def test_an_unexpected_failure_on_a_page_shows_the_code_and_no_stack_trace(bank, staff) -> None:
    from fastapi.testclient import TestClient

    from corebank.web.app import create_app

    app = create_app(bank)

    @app.get("/console/test-boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/console/test-boom")
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    assert "INTERNAL_ERROR" in r.text
    assert "secret internals" not in r.text and "Traceback" not in r.text


def test_the_session_cookie_is_secure_when_the_request_came_by_tls(pages, staff) -> None:
    from fastapi.testclient import TestClient

    b = pages()
    tls = TestClient(b.client.app, base_url="https://testserver", follow_redirects=False)
    page = tls.get("/console/login")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    r = tls.post(
        "/console/login", data={"username": "teller", "password": staff["teller"].password, "csrf": csrf}
    )
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("corebank_session="))
    assert "Secure" in cookie


def test_a_session_ends_when_idle_and_after_the_day_cap(pages, bank, staff) -> None:
    from datetime import UTC, datetime, timedelta

    import jwt

    from corebank.web.pages.session import AUDIENCE, STAFF_COOKIE

    uid = staff_id(bank, "teller")
    base = {
        "aud": AUDIENCE,
        "sub": "teller",
        "uid": uid,
        "tv": 0,
        "roles": ["teller"],
        "br": "0001",
        "sid": "s1",
    }
    now = datetime.now(UTC)
    tv = bank.run(security.staff_state, uid, readonly=True).token_version
    cases = {
        "idle": {
            **base,
            "tv": tv,
            "lang": "en",
            "st": int(now.timestamp()) - 60,
            "exp": now - timedelta(seconds=1),
        },
        "cap": {
            **base,
            "tv": tv,
            "lang": "en",
            "st": int((now - timedelta(hours=13)).timestamp()),
            "exp": now + timedelta(minutes=5),
        },
        "live": {
            **base,
            "tv": tv,
            "lang": "en",
            "st": int(now.timestamp()),
            "exp": now + timedelta(minutes=5),
        },
    }
    landed = {}
    for name, claims in cases.items():
        b = pages()
        b.client.cookies.set(STAFF_COOKIE, jwt.encode(claims, bank.settings.jwt_secret), path="/console")
        landed[name] = b.get("/console").url.path
    assert landed == {"idle": "/console/login", "cap": "/console/login", "live": "/console"}
