"""Customer access tokens: short-lived JWTs for the e-channels, kept apart from staff tokens by their audience.

A staff route refuses a customer token (its audience is "customer", which staff token checks do not accept),
and a customer route refuses a staff token (no audience). Each request compares the token's version with the
login's, so suspending a login or "log out everywhere" takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from corebank.kernel.errors import NotAuthenticated

ALGORITHM = "HS256"
AUDIENCE = "customer"


@dataclass(frozen=True, slots=True)
class CustomerClaims:
    login_id: int
    customer_id: int
    login_name: str
    token_version: int
    channel: str  # internet | mobile | open_api | phone
    strength: str  # password | sms | totp
    branch_code: str  # the customer's home branch
    device_id: str  # the bound mobile device, or ""


def issue(secret: str, claims: CustomerClaims, *, now: datetime, minutes: int) -> str:
    """A signed access token for `claims`, expiring after `minutes`."""
    payload = {
        "aud": AUDIENCE,
        "sub": claims.login_name,
        "lid": claims.login_id,
        "cid": claims.customer_id,
        "tv": claims.token_version,
        "ch": claims.channel,
        "st": claims.strength,
        "br": claims.branch_code,
        "dev": claims.device_id,
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def read(secret: str, token: str) -> CustomerClaims:
    """The claims of a valid, unexpired customer token; NotAuthenticated otherwise."""
    try:
        p = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["aud", "sub", "lid", "cid", "tv", "ch", "exp"]},
        )
    except jwt.ExpiredSignatureError:
        raise NotAuthenticated("the session has expired; refresh it or log in again") from None
    except jwt.PyJWTError:
        raise NotAuthenticated("the token is not a valid customer token") from None
    return CustomerClaims(
        int(p["lid"]),
        int(p["cid"]),
        str(p["sub"]),
        int(p["tv"]),
        str(p["ch"]),
        str(p.get("st", "password")),
        str(p.get("br", "")),
        str(p.get("dev", "")),
    )
