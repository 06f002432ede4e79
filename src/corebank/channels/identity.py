"""E-banking enrollment (网银签约) and what the counter does with a login afterwards.

A customer enrolls once, at the counter (the teller checks the presented ID card against the customer's) or
online (an account or card of theirs, their ID number and the phone on file, then a code sent to that phone),
and chooses a login name and password; the same credential serves internet and mobile banking. The counter
resets the password (which also unlocks a locked login), suspends and resumes the login, unenrolls it (the row is
kept, closed, and a later enrollment reuses it), and shows it. Each of these ends the login's sessions where it
takes access away: the token version moves, so access tokens already issued stop working at once.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select, update

from corebank import accounts, customers
from corebank.channels import cards, otp
from corebank.channels.identity_errors import (
    EbankAlreadyEnrolled,
    EbankNotEnrolled,
    EbankStatusConflict,
    EnrollmentDetailsMismatch,
    IdNumberMismatch,
    InvalidLoginName,
    LoginNameTaken,
)
from corebank.channels.identity_models import EbankDevice, EbankLogin, EbankSession
from corebank.channels.identity_schemas import (
    CounterAction,
    CounterEnrollment,
    CounterPasswordReset,
    EbankLoginRead,
    OnlineEnrollmentFinish,
    OnlineEnrollmentStart,
    OnlineEnrollmentStarted,
    PasswordResetRead,
)
from corebank.channels.registry import require_open
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.kernel.events import Event
from corebank.security import Actor, P, cipher_for, mask, passwords
from corebank.security.errors import WeakPassword

_LOGIN_NAME = re.compile(r"^[a-z][a-z0-9._-]{3,31}$")
ENROLL = "enroll"


def login_name_of(text: str) -> str:
    """The canonical (lower-case) login name, or InvalidLoginName."""
    name = text.strip().lower()
    if not _LOGIN_NAME.fullmatch(name):
        raise InvalidLoginName(f"{text!r} is not a login name: 4 to 32 letters, digits, '.', '_' or '-'")
    return name


def check_password(password: str) -> None:
    """Refuse a password too weak for e-banking (WEAK_PASSWORD)."""
    weak = passwords.check_strength(password)
    if weak:
        raise WeakPassword(weak)


def _phone_of(text: str) -> str:
    phone = text.replace(" ", "")
    problem = customers.phone_problem(phone)
    if problem:
        raise InvalidRequest(problem)
    return phone


def login_of(uow: UnitOfWork, customer_id: int) -> EbankLogin | None:
    """The customer's e-banking login row (any status), or None."""
    return uow.session.execute(
        select(EbankLogin).where(EbankLogin.customer_id == customer_id)
    ).scalar_one_or_none()


def end_sessions(uow: UnitOfWork, login_id: int, reason: str, *, device_id: str | None = None) -> int:
    """End the login's open sessions (on one device, when given): their refresh tokens stop working."""
    t = EbankSession
    q = update(t).where(t.login_id == login_id, t.ended_at.is_(None))
    if device_id is not None:
        q = q.where(t.device_id == device_id)
    done = uow.session.execute(
        q.values(ended_at=uow.now, end_reason=reason).execution_options(synchronize_session=False)
    )
    return int(done.rowcount)  # type: ignore[attr-defined]


def login_read(uow: UnitOfWork, login: EbankLogin, customer_number: str | None = None) -> EbankLoginRead:
    """What the counter and the customer see of a login."""
    if customer_number is None:
        customer_number = customers.customer_ref_by_id(uow, login.customer_id).number
    devices = uow.session.execute(
        select(func.count())
        .select_from(EbankDevice)
        .where(EbankDevice.login_id == login.id, EbankDevice.status == "active")
    ).scalar_one()
    sessions = uow.session.execute(
        select(func.count())
        .select_from(EbankSession)
        .where(
            EbankSession.login_id == login.id,
            EbankSession.ended_at.is_(None),
            EbankSession.expires_at > uow.now,
        )
    ).scalar_one()
    return EbankLoginRead(
        customer_number=customer_number,
        login_name=login.login_name,
        status=login.status,
        phone_masked=login.phone_masked,
        second_factor=login.second_factor,
        failed_logins=login.failed_logins,
        enrolled_via=login.enrolled_via,
        enrolled_by=login.enrolled_by,
        created_at=login.created_at,
        updated_at=login.updated_at,
        last_login_at=login.last_login_at,
        devices=devices,
        open_sessions=sessions,
    )


def _enroll(
    uow: UnitOfWork, customer_id: int, login_name: str, password: str, phone: str, via: str, by: str
) -> EbankLogin:
    existing = login_of(uow, customer_id)
    if existing is not None and existing.status != "closed":
        raise EbankAlreadyEnrolled("this customer is already enrolled in e-banking")
    taken = uow.session.execute(
        select(EbankLogin.id).where(
            EbankLogin.login_name == login_name, EbankLogin.customer_id != customer_id
        )
    ).first()
    if taken:
        raise LoginNameTaken(f"the login name {login_name!r} is taken; choose another")
    c = cipher_for(uow.settings)
    fields = dict(
        login_name=login_name,
        password_hash=passwords.hash_password(password),
        phone_cipher=c.encrypt(phone),
        phone_hash=c.index(phone),
        phone_masked=mask(phone, 3, 4),
        second_factor="sms",
        totp_cipher=None,
        status="active",
        failed_logins=0,
        enrolled_via=via,
        enrolled_by=by[:64],
        updated_at=uow.now,
        last_login_at=None,
    )
    if existing is not None:
        # Re-enrolling after unenrollment reuses the closed row; the token version keeps moving forward so that
        # no token of the old enrollment can come back to life.
        for k, v in fields.items():
            setattr(existing, k, v)
        existing.token_version += 1
        existing.created_at = uow.now
        uow.session.flush()
        return existing
    login = EbankLogin(customer_id=customer_id, token_version=0, created_at=uow.now, **fields)
    uow.session.add(login)
    uow.session.flush()
    return login


# ------------------------------------------------------------------------------------------- at the counter


def _counter_customer(uow: UnitOfWork, actor: Actor, number: str) -> customers.CustomerRef:
    actor.require(P.EBANK_OPERATE)
    c = customers.customer_ref(uow, number, must_be_active=False)
    actor.require_branch(c.home_branch)
    return c


def _counter_login(uow: UnitOfWork, actor: Actor, number: str) -> tuple[customers.CustomerRef, EbankLogin]:
    c = _counter_customer(uow, actor, number)
    login = login_of(uow, c.id)
    if login is None or login.status == "closed":
        raise EbankNotEnrolled(f"customer {number} is not enrolled in e-banking")
    return c, login


def enroll_at_counter(
    uow: UnitOfWork, actor: Actor, number: str, cmd: CounterEnrollment
) -> tuple[EbankLoginRead | None, CoreBankError | None]:
    """Enroll customer `number` in e-banking at the counter of their home branch: the ID number typed from the
    presented card must be the customer's; the phone given is bound for one-time codes. Returns the login, or
    the refusal of an ID that does not match (raised after its audit record is committed)."""
    c = _counter_customer(uow, actor, number)
    if c.status != "active":
        raise customers.CustomerNotActive(f"customer {number} is {c.status}")
    name = login_name_of(cmd.login_name)
    check_password(cmd.password)
    phone = _phone_of(cmd.phone)
    if not customers.id_matches(uow, c.id, cmd.id_number):
        uow.audit(actor, "ebank.enroll_refused", "customer", number, reason="id number mismatch")
        return None, IdNumberMismatch(f"the ID number presented is not customer {number}'s")
    login = _enroll(uow, c.id, name, cmd.password, phone, "counter", actor.username)
    uow.audit(
        actor, "ebank.enroll", "customer", number, login_name=name, via="counter", phone=login.phone_masked
    )
    uow.publish(Event("EbankEnrolled", "customer", number, {"via": "counter", "login_name": name}))
    return login_read(uow, login, number), None


def show_enrollment(uow: UnitOfWork, actor: Actor, number: str) -> EbankLoginRead:
    """Customer `number`'s e-banking login: status, phone, second factor, devices and open sessions."""
    actor.require(P.CUSTOMER_READ)
    c = customers.customer_ref(uow, number, must_be_active=False)
    actor.require_branch(c.home_branch)
    login = login_of(uow, c.id)
    if login is None:
        raise EbankNotEnrolled(f"customer {number} is not enrolled in e-banking")
    return login_read(uow, login, number)


def reset_password(
    uow: UnitOfWork, actor: Actor, number: str, cmd: CounterPasswordReset
) -> PasswordResetRead:
    """Set a new password at the counter (a generated temporary one unless given); unlocks a locked login and
    ends every session."""
    c, login = _counter_login(uow, actor, number)
    temporary = None
    password = cmd.password
    if password is None:
        password = temporary = passwords.generate_password(12)
    check_password(password)
    was = login.status
    login.password_hash = passwords.hash_password(password)
    login.failed_logins = 0
    login.token_version += 1
    if login.status == "locked":
        login.status = "active"
    login.updated_at = uow.now
    ended = end_sessions(uow, login.id, "password_reset")
    uow.audit(actor, "ebank.password_reset", "customer", number, was=was, generated=temporary is not None)
    if was == "locked":
        uow.audit(actor, "ebank.unlock", "customer", number)
    uow.session.flush()
    read = login_read(uow, login, c.number)
    return PasswordResetRead(login=read, temporary_password=temporary, sessions_ended=ended)


def suspend(uow: UnitOfWork, actor: Actor, number: str, cmd: CounterAction) -> EbankLoginRead:
    """Suspend the login (挂起): no login, no request with a token already issued, until resumed."""
    c, login = _counter_login(uow, actor, number)
    if login.status == "suspended":
        return login_read(uow, login, c.number)
    was = login.status
    login.status = "suspended"
    login.token_version += 1
    login.updated_at = uow.now
    end_sessions(uow, login.id, "suspended")
    uow.audit(actor, "ebank.suspend", "customer", number, was=was, reason=cmd.reason)
    uow.session.flush()
    return login_read(uow, login, c.number)


def resume(uow: UnitOfWork, actor: Actor, number: str, cmd: CounterAction) -> EbankLoginRead:
    """Resume a suspended login (a locked one is unlocked by a password reset instead)."""
    c, login = _counter_login(uow, actor, number)
    if login.status != "suspended":
        raise EbankStatusConflict(
            f"the login is {login.status}, not suspended"
            + ("; a password reset unlocks it" if login.status == "locked" else "")
        )
    login.status = "active"
    login.updated_at = uow.now
    uow.audit(actor, "ebank.resume", "customer", number, reason=cmd.reason)
    uow.session.flush()
    return login_read(uow, login, c.number)


def unenroll(uow: UnitOfWork, actor: Actor, number: str, cmd: CounterAction) -> EbankLoginRead:
    """Close the customer's e-banking (解约): sessions end, devices are unbound, TOTP is forgotten. The row is
    kept, closed; enrolling again reuses it."""
    c, login = _counter_login(uow, actor, number)
    login.status = "closed"
    login.token_version += 1
    login.totp_cipher = None
    login.second_factor = "sms"
    login.updated_at = uow.now
    end_sessions(uow, login.id, "unenrolled")
    uow.session.execute(
        update(EbankDevice)
        .where(EbankDevice.login_id == login.id, EbankDevice.status == "active")
        .values(status="removed", removed_at=uow.now)
        .execution_options(synchronize_session=False)
    )
    uow.audit(actor, "ebank.unenroll", "customer", number, reason=cmd.reason)
    uow.publish(Event("EbankUnenrolled", "customer", number, {"reason": cmd.reason}))
    uow.session.flush()
    return login_read(uow, login, c.number)


# ------------------------------------------------------------------------------------------- online


def visitor(channel: str, who: str = "anonymous", branch_code: str = "0001") -> Actor:
    """The actor of a customer's request before they are logged in (for the audit trail only)."""
    return Actor(username=who[:64], user_id=None, roles=(), branch_code=branch_code, channel=channel)


def _holder_of(uow: UnitOfWork, cmd: OnlineEnrollmentStart) -> int | None:
    if cmd.account_number:
        try:
            return accounts.load_for_posting(uow, [cmd.account_number])[cmd.account_number].customer_id
        except accounts.AccountNotFound:
            return None
    if cmd.card_pan:
        return cards.owner_of_pan(uow, cmd.card_pan)
    return None


def start_online_enrollment(
    uow: UnitOfWork, cmd: OnlineEnrollmentStart
) -> tuple[OnlineEnrollmentStarted | None, CoreBankError | None]:
    """Online enrollment, step 1: the account (or card) must be the customer's whose ID number is given, and
    the phone the one on file; a code goes to that phone. Every mismatch answers the same, and is audited
    (returned to be raised once the audit record is committed)."""
    require_open(uow, cmd.channel, "login")
    if bool(cmd.account_number) == bool(cmd.card_pan):
        raise InvalidRequest("give either account_number or card_pan")
    phone = cmd.phone.replace(" ", "")
    customer_id = _holder_of(uow, cmd)
    ok = (
        customer_id is not None
        and customers.id_matches(uow, customer_id, cmd.id_number)
        and customers.phone_matches(uow, customer_id, phone)
    )
    if not ok or customer_id is None:
        who = visitor(cmd.channel)
        via = "card" if cmd.card_pan else "account"
        uow.audit(who, "ebank.enroll_refused", "phone", mask(phone, 3, 4), reason="details mismatch", via=via)
        return None, EnrollmentDetailsMismatch()
    c = customers.customer_ref_by_id(uow, customer_id)
    if c.status != "active":
        raise customers.CustomerNotActive("the customer is not active; ask at the counter")
    existing = login_of(uow, customer_id)
    if existing is not None and existing.status != "closed":
        raise EbankAlreadyEnrolled("this customer is already enrolled in e-banking")
    minutes = max(1, uow.settings.otp_ttl_seconds // 60)
    ch, ticket = otp.open_challenge(
        uow,
        purpose=ENROLL,
        customer_id=customer_id,
        login_id=None,
        method="sms",
        channel=cmd.channel,
        phone=phone,
        phone_masked=mask(phone, 3, 4),
        sms_text=f"[CoreBank] Code {{code}} enrolls you in e-banking. Valid {minutes} min. "
        "If you did not ask for it, call the bank.",
        with_ticket=True,
        payload=phone,
    )
    assert ticket is not None
    uow.audit(visitor(cmd.channel, branch_code=c.home_branch), "ebank.enroll_started", "customer", c.number)
    started = OnlineEnrollmentStarted(
        enrollment_id=ticket, phone_masked=ch.phone_masked, expires_at=ch.expires_at
    )
    return started, None


def finish_online_enrollment(
    uow: UnitOfWork, cmd: OnlineEnrollmentFinish
) -> tuple[EbankLoginRead | None, CoreBankError | None]:
    """Online enrollment, step 2: the SMS code, then the chosen login name and password. Returns the login, or
    the error to raise once a wrong code has been counted and committed."""
    ch = otp.find_by_ticket(uow, cmd.enrollment_id, ENROLL)
    if ch is None:
        raise EnrollmentDetailsMismatch("no such enrollment; start again")
    problem = otp.usable(uow, ch)
    if problem is not None:
        raise problem
    require_open(uow, ch.channel, "login")
    name = login_name_of(cmd.login_name)
    check_password(cmd.password)
    c = customers.customer_ref_by_id(uow, ch.customer_id)
    who = visitor(ch.channel, f"customer:{name}", c.home_branch)
    if not otp.code_matches(uow, ch, cmd.code, None):
        error = otp.count_wrong(uow, ch)
        uow.audit(who, "ebank.enroll_code_wrong", "customer", c.number, attempts=ch.attempts)
        return None, error
    used = otp.mark_used(uow, ch)
    if used is not None:
        raise used
    # The phone bound is the one the code went to (checked against the one on file at step 1).
    phone = cipher_for(uow.settings).decrypt(ch.payload_cipher or "")
    login = _enroll(uow, ch.customer_id, name, cmd.password, phone, "online", who.username)
    uow.audit(
        who, "ebank.enroll", "customer", c.number, login_name=name, via="online", phone=login.phone_masked
    )
    uow.publish(Event("EbankEnrolled", "customer", c.number, {"via": "online", "login_name": name}))
    return login_read(uow, login, c.number), None
