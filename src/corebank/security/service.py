"""Staff users, login with lockout, tokens, and the audit chain's verification."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from corebank.db.models import AuditHead, AuditRecord
from corebank.db.uow import GENESIS, UnitOfWork, audit_hash
from corebank.kernel.errors import InvalidRequest
from corebank.ledger import branch_tree
from corebank.security import passwords, tokens
from corebank.security.actor import Actor, make_actor
from corebank.security.errors import (
    LoginFailed,
    UnknownRole,
    UserExists,
    UserLocked,
    UserNotFound,
    WeakPassword,
)
from corebank.security.models import StaffRole, StaffUser
from corebank.security.permissions import ROLES, P, permissions_for
from corebank.security.schemas import (
    AuditPage,
    AuditRecordRead,
    AuditVerification,
    UserCreate,
    UserCreated,
    UserRead,
)


def _read(user: StaffUser, roles: list[str]) -> UserRead:
    return UserRead(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        roles=roles,
        branch_code=user.branch_code,
        status=user.status,
        created_at=user.created_at,
    )


def create_user(uow: UnitOfWork, actor: Actor, cmd: UserCreate) -> UserCreated:
    """Add a staff user with roles at a branch; generate a password when none is given."""
    actor.require(P.USER_ADMIN)
    for role in cmd.roles:
        if role not in ROLES:
            raise UnknownRole(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    if cmd.branch_code not in branch_tree(uow):
        raise InvalidRequest(f"branch {cmd.branch_code} does not exist")
    if uow.session.execute(select(StaffUser.id).where(StaffUser.username == cmd.username)).first():
        raise UserExists(f"user {cmd.username} already exists")
    generated = None
    password = cmd.password
    if password is None:
        password = generated = passwords.generate_password()
    weak = passwords.check_strength(password)
    if weak:
        raise WeakPassword(weak)
    user = StaffUser(
        username=cmd.username,
        full_name=cmd.full_name,
        password_hash=passwords.hash_password(password),
        branch_code=cmd.branch_code,
        status="active",
        failed_logins=0,
        token_version=0,
        language="zh_CN",
        created_at=uow.now,
    )
    uow.session.add(user)
    uow.session.flush()
    roles = sorted(set(cmd.roles))
    uow.session.add_all([StaffRole(user_id=user.id, role=r) for r in roles])
    uow.audit(actor, "user.create", "user", cmd.username, roles=roles, branch=cmd.branch_code)
    return UserCreated(user=_read(user, roles), generated_password=generated)


def _roles(uow: UnitOfWork, user_id: int) -> list[str]:
    return sorted(uow.session.execute(select(StaffRole.role).where(StaffRole.user_id == user_id)).scalars())


def list_users(uow: UnitOfWork, actor: Actor) -> list[UserRead]:
    """All staff users."""
    actor.require(P.USER_ADMIN)
    users = uow.session.execute(select(StaffUser).order_by(StaffUser.username)).scalars().all()
    return [_read(u, _roles(uow, u.id)) for u in users]


def staff_holds(uow: UnitOfWork, username: str, permission: P) -> bool:
    """Whether `username` is an active staff user whose roles grant `permission` (work given to a person)."""
    user = uow.session.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
    if user is None or user.status != "active":
        return False
    return permission in permissions_for(_roles(uow, user.id))


def unlock_user(uow: UnitOfWork, actor: Actor, username: str) -> UserRead:
    """Unlock a user locked by failed logins."""
    actor.require(P.USER_ADMIN)
    user = uow.session.execute(select(StaffUser).where(StaffUser.username == username)).scalar()
    if user is None:
        raise UserNotFound(f"no user {username}")
    user.status, user.failed_logins = "active", 0
    uow.audit(actor, "user.unlock", "user", username)
    return _read(user, _roles(uow, user.id))


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """A token, or the error to raise after the failed attempt has been recorded and committed."""

    token: str | None
    error: Exception | None


def login(
    uow: UnitOfWork,
    username: str,
    password: str,
    *,
    secret: str,
    minutes: int,
    lockout_after: int,
    channel: str = "api",
) -> LoginOutcome:
    """Check a password; count failures and lock the user after `lockout_after`; audit every attempt."""
    user = uow.session.execute(select(StaffUser).where(StaffUser.username == username)).scalar()
    who = f"user:{username}"[:64]
    if user is None:
        passwords.verify_password(_dummy_hash(), password)  # same work whether or not the user exists
        uow.audit(who, "login.failed", "user", username[:64], reason="unknown user", channel=channel)
        return LoginOutcome(None, LoginFailed())
    if user.status != "active":
        uow.audit(who, "login.refused", "user", username, reason=user.status, channel=channel)
        return LoginOutcome(
            None, UserLocked() if user.status == "locked" else LoginFailed("the user is disabled")
        )
    if not passwords.verify_password(user.password_hash, password):
        user.failed_logins += 1
        locked = user.failed_logins >= lockout_after
        if locked:
            user.status = "locked"
        uow.audit(
            who, "login.failed", "user", username, failures=user.failed_logins, locked=locked, channel=channel
        )
        return LoginOutcome(None, UserLocked() if locked else LoginFailed())
    user.failed_logins = 0
    user.last_login_at = uow.now
    roles = _roles(uow, user.id)
    token = tokens.issue(
        secret,
        username=user.username,
        user_id=user.id,
        token_version=user.token_version,
        now=uow.now,
        minutes=minutes,
        roles=roles,
        branch_code=user.branch_code,
    )
    uow.audit(who, "login.ok", "user", username, channel=channel)
    return LoginOutcome(token, None)


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist (made once, on the first such login, not at
    import: every command-line start would pay for it)."""
    return passwords.hash_password("not-a-real-password-1")


def actor_from_token(secret: str, token: str, tree: dict[str, str | None], channel: str = "api") -> Actor:
    """The actor a valid token names. Roles and branch travel in the short-lived token, so a request needs
    no database round trip to authenticate; disabling a user takes effect when the token expires."""
    claims = tokens.read(secret, token)
    return make_actor(
        claims["sub"], int(claims["uid"]), tuple(claims.get("roles", ())), claims["br"], tree, channel
    )


def change_password(uow: UnitOfWork, actor: Actor, username: str, new_password: str) -> None:
    """Set a user's password (the user themself or an administrator); old tokens stop working."""
    if actor.username != username:
        actor.require(P.USER_ADMIN)
    weak = passwords.check_strength(new_password)
    if weak:
        raise WeakPassword(weak)
    done = uow.session.execute(
        update(StaffUser)
        .where(StaffUser.username == username)
        .values(
            password_hash=passwords.hash_password(new_password), token_version=StaffUser.token_version + 1
        )
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise UserNotFound(f"no user {username}")
    uow.audit(actor, "user.password", "user", username)


@dataclass(frozen=True, slots=True)
class StaffState:
    """What a console session checks on every page: the user may be disabled, or their password changed."""

    status: str
    token_version: int
    language: str


def staff_state(uow: UnitOfWork, user_id: int) -> StaffState | None:
    """A staff user's status, token version and language (None when there is no such user)."""
    row = uow.session.execute(
        select(StaffUser.status, StaffUser.token_version, StaffUser.language).where(StaffUser.id == user_id)
    ).first()
    return None if row is None else StaffState(row[0], int(row[1]), row[2])


LANGUAGES = ("zh_CN", "en")


def set_language(uow: UnitOfWork, actor: Actor, language: str) -> None:
    """Keep the language a staff user's console speaks in their profile."""
    if language not in LANGUAGES:
        raise InvalidRequest(f"language must be one of {', '.join(LANGUAGES)}")
    uow.session.execute(
        update(StaffUser).where(StaffUser.username == actor.username).values(language=language)
    )
    uow.audit(actor, "user.language", "user", actor.username, language=language)


def verify_audit_chain(uow: UnitOfWork, chunk: int = 5000) -> AuditVerification:
    """Recompute every audit record's hash in order, in chunks, and hold the last against the chain head."""
    prev, count, last_seq = GENESIS, 0, 0
    while True:
        rows = (
            uow.session.execute(
                select(AuditRecord).where(AuditRecord.seq > last_seq).order_by(AuditRecord.seq).limit(chunk)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for r in rows:
            row: dict[str, Any] = {
                c: getattr(r, c)
                for c in (
                    "seq",
                    "at",
                    "actor",
                    "channel",
                    "branch_code",
                    "action",
                    "object_type",
                    "object_id",
                    "detail",
                )
            }
            if r.seq != last_seq + 1:
                return AuditVerification(
                    records=count,
                    ok=False,
                    first_bad_seq=last_seq + 1,
                    detail=f"record {last_seq + 1} is missing",
                )
            if r.prev_hash != prev or audit_hash(prev, row) != r.hash:
                return AuditVerification(
                    records=count,
                    ok=False,
                    first_bad_seq=r.seq,
                    detail=f"record {r.seq} does not match its hash",
                )
            prev, last_seq, count = r.hash, r.seq, count + 1
        uow.session.expunge_all()
    head = uow.session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
    if head.seq != last_seq or head.hash != prev:
        return AuditVerification(
            records=count,
            ok=False,
            first_bad_seq=last_seq + 1,
            detail="the chain head does not match the last record (records removed?)",
        )
    return AuditVerification(records=count, ok=True)


def list_audit(
    uow: UnitOfWork,
    actor: Actor,
    *,
    cursor: str | None = None,
    limit: int = 50,
    who: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    action: str | None = None,
) -> AuditPage:
    """The audit trail, newest first, filtered by who acted, on what, or which action; follow `next_cursor`.
    Staff scoped to some branches see the records made in those branches."""
    actor.require(P.AUDIT_READ)
    q = select(AuditRecord)
    if cursor:
        if not cursor.isdigit():
            raise InvalidRequest("the cursor is not one this API returned")
        q = q.where(AuditRecord.seq < int(cursor))
    for column, value in (
        (AuditRecord.actor, who),
        (AuditRecord.object_type, object_type),
        (AuditRecord.object_id, object_id),
        (AuditRecord.action, action),
    ):
        if value:
            q = q.where(column == value)
    if actor.branches is not None:
        q = q.where(AuditRecord.branch_code.in_(actor.branches))
    limit = max(1, min(limit, 500))
    rows = uow.session.execute(q.order_by(AuditRecord.seq.desc()).limit(limit + 1)).scalars().all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        AuditRecordRead(
            seq=r.seq,
            at=r.at,
            actor=r.actor,
            channel=r.channel,
            branch_code=r.branch_code,
            action=r.action,
            object_type=r.object_type,
            object_id=r.object_id,
            detail=json.loads(r.detail),
            hash=r.hash,
        )
        for r in rows
    ]
    return AuditPage(items=items, next_cursor=str(rows[-1].seq) if more and rows else None)
