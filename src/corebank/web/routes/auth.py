"""Log in (OAuth2 password flow) and staff users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.security import OAuth2PasswordRequestForm

from corebank.security import Actor, P
from corebank.security import service as security
from corebank.security.schemas import AuditPage, AuditVerification, Token, UserCreate, UserCreated, UserRead
from corebank.web.deps import BankDep, current_actor, requires

router = APIRouter(prefix="/api/v1", tags=["staff and security"])


@router.post("/auth/token", response_model=Token, summary="Log in and receive a short-lived bearer token")
def token(bank: BankDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    s = bank.settings
    outcome = bank.run(
        security.login,
        form.username,
        form.password,
        secret=s.jwt_secret,
        minutes=s.token_minutes,
        lockout_after=s.lockout_after_failures,
    )
    if outcome.error is not None:
        raise outcome.error
    return Token(access_token=outcome.token, expires_in=s.token_minutes * 60)


@router.get("/auth/me", summary="Who am I: roles, branch and permissions")
def me(actor: Annotated[Actor, Depends(current_actor)]) -> dict:
    return {
        "username": actor.username,
        "roles": list(actor.roles),
        "branch_code": actor.branch_code,
        "permissions": sorted(p.value for p in actor.permissions),
        "branches": None if actor.branches is None else sorted(actor.branches),
    }


@router.post("/users", response_model=UserCreated, status_code=201, summary="Add a staff user")
def add_user(
    bank: BankDep, cmd: UserCreate, actor: Annotated[Actor, Depends(requires(P.USER_ADMIN))]
) -> UserCreated:
    created: UserCreated = bank.run(security.create_user, actor, cmd)
    bank._tree_at = 0
    return created


@router.get("/users", response_model=list[UserRead], summary="List staff users")
def users(bank: BankDep, actor: Annotated[Actor, Depends(requires(P.USER_ADMIN))]) -> list[UserRead]:
    return bank.run(security.list_users, actor, readonly=True)


@router.post(
    "/users/{username}/unlock", response_model=UserRead, summary="Unlock a user locked by failed logins"
)
def unlock(
    bank: BankDep, username: str, actor: Annotated[Actor, Depends(requires(P.USER_ADMIN))]
) -> UserRead:
    return bank.run(security.unlock_user, actor, username)


@router.get("/audit/verify", response_model=AuditVerification, summary="Verify the audit hash chain")
def audit_verify(
    bank: BankDep, actor: Annotated[Actor, Depends(requires(P.AUDIT_READ))]
) -> AuditVerification:
    return bank.run(security.verify_audit_chain, readonly=True)


@router.get(
    "/audit", response_model=AuditPage, summary="Read the audit trail, newest first (cursor pagination)"
)
def audit_trail(
    bank: BankDep,
    actor: Annotated[Actor, Depends(requires(P.AUDIT_READ))],
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    who: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    action: str | None = None,
) -> AuditPage:
    return bank.run(
        security.list_audit,
        actor,
        cursor=cursor,
        limit=limit,
        who=who,
        object_type=object_type,
        object_id=object_id,
        action=action,
        readonly=True,
    )
