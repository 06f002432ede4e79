"""Back office, administration: staff users (list, add, unlock), the roles with their permissions and the
branches. Everything here needs user.admin, as the REST routes of `web/routes/auth.py` do; users are added and
unlocked by the same service functions (`security.create_user`, `security.unlock_user`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from corebank import ledger
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.security import Actor, P
from corebank.security import service as security
from corebank.security.permissions import ROLE_PERMISSIONS, ROLES
from corebank.security.schemas import UserCreate
from corebank.web.deps import get_bank
from corebank.web.pages.errors import error_view
from corebank.web.pages.i18n import _
from corebank.web.pages.render import N_, NavItem, redirect, register_nav, render
from corebank.web.pages.session import console_page

router = APIRouter(prefix="/console", include_in_schema=False)
Admin = Annotated[Actor, Depends(console_page(P.USER_ADMIN))]

register_nav(NavItem("console", N_("Administration"), N_("Staff users"), "/console/users", P.USER_ADMIN, 71))
register_nav(NavItem("console", N_("Administration"), N_("Roles"), "/console/roles", P.USER_ADMIN, 72))
register_nav(NavItem("console", N_("Administration"), N_("Branches"), "/console/branches", P.USER_ADMIN, 73))

ROLE_NAMES = {
    "admin": N_("Administrator"),
    "teller": N_("Teller"),
    "supervisor": N_("Supervisor"),
    "branch_manager": N_("Branch manager"),
    "accountant": N_("Accountant"),
    "product_manager": N_("Product manager"),
    "credit_officer": N_("Credit officer"),
    "credit_approver": N_("Credit approver"),
    "risk_officer": N_("Risk officer"),
    "channel_manager": N_("Channel manager"),
    "auditor": N_("Auditor"),
}
USER_STATUSES = (N_("active"), N_("locked"), N_("disabled"))
LEVELS = {"head_office": N_("Head office"), "branch": N_("Branch"), "sub_branch": N_("Sub-branch")}


def _users_page(request: Request, actor: Actor, *, status: int = 200, **extra: Any) -> Response:
    bank = get_bank(request)
    ctx: dict[str, Any] = {
        "users": bank.run(security.list_users, actor, readonly=True),
        "branches": bank.run(ledger.list_branches, readonly=True),
        "roles": ROLES,
        "role_names": ROLE_NAMES,
        "form": {"username": "", "full_name": "", "branch_code": actor.branch_code, "roles": []},
    }
    ctx.update(extra)
    return render(request, "console/backoffice/users.html", ctx, status=status)


@router.get("/users")
def users(request: Request, actor: Admin) -> Response:
    return _users_page(request, actor)


@router.post("/users")
def add_user(
    request: Request,
    actor: Admin,
    username: Annotated[str, Form(max_length=64)],
    branch_code: Annotated[str, Form(max_length=8)],
    full_name: Annotated[str, Form(max_length=120)] = "",
    roles: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Add a staff user with a generated first password, shown once on the page that answers."""
    bank = get_bank(request)
    form = {
        "username": username.strip(),
        "full_name": full_name.strip(),
        "branch_code": branch_code.strip(),
        "roles": roles or [],
    }
    try:
        try:
            cmd = UserCreate(
                username=form["username"],
                roles=form["roles"],
                branch_code=form["branch_code"],
                full_name=form["full_name"],
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InvalidRequest(f"{where}: {first['msg']}") from None
        created = bank.run(security.create_user, actor, cmd)
    except CoreBankError as exc:
        return _users_page(
            request, actor, status=exc.status, error=error_view(exc.code, exc.title, exc.detail), form=form
        )
    bank._tree_at = 0  # as the REST route: the actor's branch tree is read again
    return _users_page(request, actor, status=201, created=created)


@router.post("/users/{username}/unlock")
def unlock(request: Request, actor: Admin, username: str) -> Response:
    bank = get_bank(request)
    try:
        bank.run(security.unlock_user, actor, username)
    except CoreBankError as exc:
        return _users_page(
            request, actor, status=exc.status, unlock_error=error_view(exc.code, exc.title, exc.detail)
        )
    return redirect("/console/users", text=_("Unlocked: %(user)s") % {"user": username})


@router.get("/roles")
def roles(request: Request, actor: Admin) -> Response:
    table = [
        {"code": r, "name": ROLE_NAMES.get(r, r), "permissions": sorted(p.value for p in ROLE_PERMISSIONS[r])}
        for r in ROLES
    ]
    return render(
        request, "console/backoffice/roles.html", {"roles": table, "all": sorted(p.value for p in P)}
    )


@router.get("/branches")
def branches(request: Request, actor: Admin) -> Response:
    rows = get_bank(request).run(ledger.list_branches, readonly=True)
    return render(request, "console/backoffice/branches.html", {"branches": rows, "levels": LEVELS})
