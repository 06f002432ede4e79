"""The actor behind a customer token: checked against the login on every request."""

from __future__ import annotations

from sqlalchemy import select

from corebank.channels import tokens
from corebank.channels.identity_models import EbankLogin
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import NotAuthenticated
from corebank.security import Actor
from corebank.security.permissions import CUSTOMER_CHANNEL


def customer_actor(claims: tokens.CustomerClaims) -> Actor:
    """The actor for a customer's own request on an e-channel (its objects are checked by the channels area)."""
    return Actor(
        username=f"customer:{claims.login_name}"[:64],
        user_id=None,
        roles=("customer",),
        branch_code=claims.branch_code or "0001",
        channel=claims.channel,
        permissions=CUSTOMER_CHANNEL,
        branches=None,
        customer_id=claims.customer_id,
        strength=claims.strength,
    )


def authenticate(uow: UnitOfWork, claims: tokens.CustomerClaims) -> Actor:
    """The actor for `claims`, if the login is still active and the token not revoked."""
    row = uow.conn.execute(
        select(EbankLogin.status, EbankLogin.token_version, EbankLogin.customer_id).where(
            EbankLogin.id == claims.login_id
        )
    ).first()
    if row is None or row.customer_id != claims.customer_id:
        raise NotAuthenticated("this e-banking login no longer exists")
    if row.token_version != claims.token_version:
        raise NotAuthenticated("this session was ended; log in again")
    if row.status != "active":
        raise NotAuthenticated(f"this e-banking login is {row.status}")
    return customer_actor(claims)
