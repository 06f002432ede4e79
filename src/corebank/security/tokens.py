"""Short-lived JWT access tokens for staff (OAuth2 password flow)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import jwt

from corebank.kernel.errors import NotAuthenticated

ALGORITHM = "HS256"


def issue(
    secret: str,
    *,
    username: str,
    user_id: int,
    token_version: int,
    now: datetime,
    minutes: int,
    roles: list[str],
    branch_code: str,
) -> str:
    """A signed token naming the user, its roles and branch; it expires after `minutes`."""
    payload = {
        "sub": username,
        "uid": user_id,
        "tv": token_version,
        "roles": roles,
        "br": branch_code,
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def read(secret: str, token: str) -> dict[str, Any]:
    """The claims of a valid, unexpired token; NotAuthenticated otherwise."""
    try:
        return jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "uid", "exp", "br"]}
        )
    except jwt.ExpiredSignatureError:
        raise NotAuthenticated("the token has expired; log in again") from None
    except jwt.PyJWTError:
        raise NotAuthenticated("the token is not valid") from None
