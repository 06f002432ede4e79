"""Request dependencies: the bank, the authenticated actor with the route's permission, idempotency keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import OAuth2PasswordBearer

from corebank.bootstrap import Bank
from corebank.kernel.errors import NotAuthenticated
from corebank.security import Actor, P
from corebank.security.service import actor_from_token

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_bank(request: Request) -> Bank:
    """The bank this app serves."""
    return request.app.state.bank


BankDep = Annotated[Bank, Depends(get_bank)]


def current_actor(request: Request, bank: BankDep, token: Annotated[str | None, Depends(oauth2)]) -> Actor:
    """The staff member behind the bearer token (their requests are the counter channel's, for monitoring)."""
    request.state.channel = "counter"
    if not token:
        raise NotAuthenticated("send a bearer token from POST /api/v1/auth/token")
    return actor_from_token(bank.settings.jwt_secret, token, bank.branch_tree(), channel="counter")


def requires(permission: P) -> Callable[..., Actor]:
    """A dependency that authenticates and insists on `permission`; routes declare theirs with it."""

    def dependency(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        actor.require(permission)
        return actor

    dependency.__name__ = f"requires_{permission.name.lower()}"
    return dependency


def idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="required on money movement; a retry returns the first answer",
        ),
    ] = None,
) -> str | None:
    """The Idempotency-Key header. Optional to FastAPI so that its absence reaches the service, which refuses
    it with the stable IDEMPOTENCY_KEY_REQUIRED (400) after authentication, not a generic validation error."""
    return key


IdempotencyKey = Annotated[str | None, Depends(idempotency_key)]
