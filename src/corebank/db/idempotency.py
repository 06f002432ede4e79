"""Idempotency keys: a retried money-moving request returns the first answer and posts nothing twice."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import insert, select, update

from corebank.db.models import IdempotencyRecord
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import IdempotencyKeyMissing, IdempotencyKeyReused


def request_hash(body: Any) -> str:
    """A stable fingerprint of the request body."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def recall(uow: UnitOfWork, scope: str, key: str | None, fingerprint: str) -> dict[str, Any] | None:
    """The stored answer for (scope, key), or None; refuse a missing key or one reused with another body."""
    if not key or not key.strip() or len(key) > 128:
        raise IdempotencyKeyMissing("send an Idempotency-Key header (1 to 128 characters)")
    row = uow.session.execute(
        select(IdempotencyRecord.request_hash, IdempotencyRecord.response).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IdempotencyKeyReused(f"Idempotency-Key {key!r} was already used for a different request")
    return dict(row.response)


def remember(uow: UnitOfWork, scope: str, key: str, fingerprint: str, response: dict[str, Any]) -> None:
    """Store the answer in the same transaction as the work; a concurrent twin fails on the unique key."""
    uow.session.execute(
        insert(IdempotencyRecord).values(
            scope=scope, key=key, request_hash=fingerprint, response=response, created_at=uow.now
        )
    )


def once(uow: UnitOfWork, scope: str, key: str | None, body: Any, work: Any) -> dict[str, Any]:
    """Run `work()` (returning a JSON-ready dict) once per (scope, key); a retry gets the stored answer."""
    fingerprint = request_hash(body)
    stored = recall(uow, scope, key, fingerprint)
    if stored is not None:
        return stored
    # Claim the key before the work. A twin sent while this runs then waits on the unique key, fails on it
    # once this commits, and is re-run by the unit of work to find the stored answer. Claimed only at the end,
    # the twin would race the work itself (on PostgreSQL it would be refused for the money this one just moved).
    record_id = uow.session.execute(
        insert(IdempotencyRecord)
        .values(scope=scope, key=str(key), request_hash=fingerprint, response={}, created_at=uow.now)
        .returning(IdempotencyRecord.id)
    ).scalar_one()
    result = work()
    uow.session.execute(
        update(IdempotencyRecord).where(IdempotencyRecord.id == record_id).values(response=result)
    )
    return dict(result)
