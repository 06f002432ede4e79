"""Mobile devices bound to an e-banking login.

The rule: a mobile login names its device. From a device not bound to the login, the second factor is always an
SMS code, even for a customer who uses TOTP (the authenticator may be on the very phone that was lost or
stolen); when that login succeeds the device is bound. From a bound device the login's own factor applies. A
customer lists their devices and unbinds one; unbinding ends that device's sessions.
"""

from __future__ import annotations

from sqlalchemy import select

from corebank.channels import identity
from corebank.channels.identity_errors import DeviceNotFound, EbankNotEnrolled
from corebank.channels.identity_models import EbankDevice, EbankLogin
from corebank.channels.identity_schemas import DeviceRead
from corebank.channels.registry import require_open
from corebank.db.uow import UnitOfWork
from corebank.security import Actor


def is_bound(uow: UnitOfWork, login_id: int, device_id: str) -> bool:
    """Whether `device_id` is an active device of the login."""
    return (
        uow.session.execute(
            select(EbankDevice.id).where(
                EbankDevice.login_id == login_id,
                EbankDevice.device_id == device_id,
                EbankDevice.status == "active",
            )
        ).first()
        is not None
    )


def bind(uow: UnitOfWork, login: EbankLogin, device_id: str, who: Actor) -> None:
    """Bind `device_id` to the login (after a login from it passed the SMS factor), or note it was seen."""
    row = uow.session.execute(
        select(EbankDevice).where(EbankDevice.login_id == login.id, EbankDevice.device_id == device_id)
    ).scalar_one_or_none()
    if row is not None and row.status == "active":
        row.last_seen_at = uow.now
        return
    if row is None:
        uow.session.add(
            EbankDevice(
                login_id=login.id,
                device_id=device_id,
                status="active",
                bound_at=uow.now,
                last_seen_at=uow.now,
            )
        )
    else:
        row.status, row.bound_at, row.last_seen_at, row.removed_at = "active", uow.now, uow.now, None
    uow.session.flush()
    uow.audit(who, "ebank.device_bound", "ebank_login", login.login_name, device_id=device_id)


def _own_login(uow: UnitOfWork, actor: Actor) -> EbankLogin:
    require_open(uow, actor.channel, "login")
    login = identity.login_of(uow, actor.customer_id) if actor.customer_id is not None else None
    if login is None:
        raise EbankNotEnrolled("no e-banking login")
    return login


def list_devices(uow: UnitOfWork, actor: Actor) -> list[DeviceRead]:
    """The customer's bound mobile devices, most recently seen first."""
    login = _own_login(uow, actor)
    rows = uow.session.execute(
        select(EbankDevice)
        .where(EbankDevice.login_id == login.id, EbankDevice.status == "active")
        .order_by(EbankDevice.last_seen_at.desc(), EbankDevice.id.desc())
    ).scalars()
    return [DeviceRead(device_id=r.device_id, bound_at=r.bound_at, last_seen_at=r.last_seen_at) for r in rows]


def remove_device(uow: UnitOfWork, actor: Actor, device_id: str) -> None:
    """Unbind one of the customer's devices and end its sessions (its next login needs the SMS factor)."""
    login = _own_login(uow, actor)
    row = uow.session.execute(
        select(EbankDevice).where(
            EbankDevice.login_id == login.id,
            EbankDevice.device_id == device_id,
            EbankDevice.status == "active",
        )
    ).scalar_one_or_none()
    if row is None:
        raise DeviceNotFound(f"no bound device {device_id!r}")
    row.status, row.removed_at = "removed", uow.now
    ended = identity.end_sessions(uow, login.id, "device_removed", device_id=device_id)
    uow.audit(
        actor, "ebank.device_removed", "ebank_login", login.login_name, device_id=device_id, ended=ended
    )
