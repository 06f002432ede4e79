"""Request dependencies for customer routes (`/api/v1/me/...`): the customer behind the bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from corebank.channels import principal, tokens
from corebank.kernel.errors import NotAuthenticated
from corebank.security import Actor
from corebank.web.deps import BankDep

customer_oauth2 = OAuth2PasswordBearer(
    tokenUrl="/api/v1/me/auth/token", auto_error=False, scheme_name="CustomerBearer"
)


def current_customer(
    request: Request, bank: BankDep, token: Annotated[str | None, Depends(customer_oauth2)]
) -> Actor:
    """The customer behind the bearer token (a staff token is refused). The request's channel is noted for
    channel monitoring."""
    if not token:
        raise NotAuthenticated("send a customer bearer token from POST /api/v1/me/auth/token")
    claims = tokens.read(bank.settings.jwt_secret, token)
    request.state.channel = claims.channel
    return bank.run(principal.authenticate, claims, readonly=True)


CustomerDep = Annotated[Actor, Depends(current_customer)]
