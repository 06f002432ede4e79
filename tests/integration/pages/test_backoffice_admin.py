"""Back office, administration: staff users (add, unlock), roles with their permissions, branches."""

from __future__ import annotations

from sqlalchemy import func, select

from corebank.security import service as security
from corebank.security.models import StaffUser


def _user(bank, name: str) -> StaffUser | None:  # type: ignore[no-untyped-def]
    def read(uow):  # type: ignore[no-untyped-def]
        u = uow.session.execute(select(StaffUser).where(StaffUser.username == name)).scalar()
        if u is not None:
            uow.session.expunge(u)
        return u

    return bank.run(read, readonly=True)


def _count(bank) -> int:  # type: ignore[no-untyped-def]
    return bank.run(
        lambda uow: uow.session.execute(select(func.count(StaffUser.id))).scalar_one(), readonly=True
    )


def test_the_administrator_adds_a_user_and_sees_the_first_password_once(console, bank, pages) -> None:
    b = console("admin2")
    page = b.get("/console/users")
    assert page.status_code == 200 and 'id="users-table"' in page.text and ">teller2<" in page.text
    r = b.post(
        "/console/users",
        {
            "username": "bo_clerk",
            "full_name": "New Clerk",
            "branch_code": "0002",
            "roles": ["teller", "supervisor"],
        },
    )
    assert r.status_code == 201 and 'id="first-password"' in r.text
    password = r.text.split('id="first-password">', 1)[1].split("<", 1)[0]
    user = _user(bank, "bo_clerk")
    assert user is not None and user.branch_code == "0002" and user.status == "active"
    assert 'id="user-bo_clerk"' in r.text
    # the new user signs in with it
    c = pages()
    c.get("/console/login")
    assert c.post("/console/login", {"username": "bo_clerk", "password": password}).url.path == "/console"
    # again: refused, nothing added
    before = _count(bank)
    again = b.post("/console/users", {"username": "bo_clerk", "branch_code": "0001", "roles": ["teller"]})
    assert again.status_code == 409 and "USER_EXISTS" in again.text and _count(bank) == before


def test_bad_user_input_shows_the_code_and_adds_nobody(console, bank) -> None:
    b = console("admin2")
    b.get("/console/users")
    before = _count(bank)
    r = b.post("/console/users", {"username": "bo_x1", "branch_code": "0001", "roles": ["wizard"]})
    assert r.status_code == 422 and "UNKNOWN_ROLE" in r.text
    r = b.post("/console/users", {"username": "Bad Name!", "branch_code": "0001", "roles": ["teller"]})
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text and 'value="Bad Name!"' in r.text
    r = b.post("/console/users", {"username": "bo_x2", "branch_code": "0001"})
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text
    assert _count(bank) == before


def test_the_administrator_unlocks_a_user_locked_by_failed_sign_ins(console, bank, staff) -> None:
    b = console("admin2")
    b.get("/console/users")
    r = b.post("/console/users", {"username": "bo_lockme", "branch_code": "0001", "roles": ["teller"]})
    assert r.status_code == 201
    s = bank.settings
    for _ in range(s.lockout_after_failures):
        bank.run(
            security.login,
            "bo_lockme",
            "wrong-password-1",
            secret=s.jwt_secret,
            minutes=5,
            lockout_after=s.lockout_after_failures,
        )
    assert _user(bank, "bo_lockme").status == "locked"  # type: ignore[union-attr]
    page = b.get("/console/users")
    assert 'action="/console/users/bo_lockme/unlock"' in page.text
    r = b.post("/console/users/bo_lockme/unlock")
    assert r.status_code == 200 and _user(bank, "bo_lockme").status == "active"  # type: ignore[union-attr]
    r = b.post("/console/users/nobody_here/unlock")
    assert r.status_code == 404 and "USER_NOT_FOUND" in r.text


def test_roles_and_branches_are_listed(console) -> None:
    b = console("admin2")
    r = b.get("/console/roles")
    assert r.status_code == 200 and "channel.admin" in r.text and 'id="role-channel_manager"' in r.text
    r = b.get("/console/branches")
    assert r.status_code == 200 and "0001" in r.text and "0002" in r.text


def test_only_user_administrators_may_use_the_administration_pages(console, bank) -> None:
    b = console("manager")
    for url in ("/console/users", "/console/roles", "/console/branches"):
        r = b.get(url)
        assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
    before = _count(bank)
    r = b.post("/console/users", {"username": "bo_sneaky", "branch_code": "0001", "roles": ["admin"]})
    assert r.status_code == 403 and _count(bank) == before
