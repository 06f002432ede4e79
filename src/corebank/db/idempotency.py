"""Idempotency keys: a retried money-moving request returns the first answer and posts nothing twice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, select

from corebank.db.base import table_of
from corebank.db.fastsql import FastSQL, to_json
from corebank.db.models import IdempotencyRecord
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import IdempotencyKeyMissing, IdempotencyKeyReused

_t = table_of(IdempotencyRecord)
_RECALL = select(_t.c.request_hash, _t.c.response).where(
    _t.c.scope == bindparam("scope"), _t.c.key == bindparam("key")
)
# Claim the key with INSERT ... ON CONFLICT DO NOTHING (SQLite and PostgreSQL both speak it). A twin sent while
# the first is still running waits on the unique key; once the first commits, the twin's insert does nothing
# and it reads the stored answer instead of racing the work itself. Plain SQL on the hot path (see fastsql).
_CLAIM = FastSQL("""
    INSERT INTO idempotency_keys (scope, "key", request_hash, response, created_at)
    VALUES (:scope, :key, :request_hash, :response::json, :created_at)
    ON CONFLICT (scope, "key") DO NOTHING
    RETURNING id
""")
_ANSWER = FastSQL("UPDATE idempotency_keys SET response = :answer::json WHERE id = :rid")


def request_hash(body: Any) -> str:
    """A stable fingerprint of the request body."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _check_key(key: str | None) -> str:
    if not key or not key.strip() or len(key) > 128:
        raise IdempotencyKeyMissing("send an Idempotency-Key header (1 to 128 characters)")
    return key


def recall(uow: UnitOfWork, scope: str, key: str | None, fingerprint: str) -> dict[str, Any] | None:
    """The stored answer for (scope, key), or None; refuse a missing key or one reused with another body."""
    row = uow.conn.execute(_RECALL, {"scope": scope, "key": _check_key(key)}).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IdempotencyKeyReused(f"Idempotency-Key {key!r} was already used for a different request")
    return dict(row.response)


def once(
    uow: UnitOfWork, scope: str, key: str | None, body: Any, work: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """Run `work()` (returning a JSON-ready dict) once per (scope, key); a retry gets the stored answer.
    The claim, the work and the stored answer commit together, or not at all."""
    key = _check_key(key)
    fingerprint = request_hash(body)
    claimed = _CLAIM.execute(
        uow,
        {"scope": scope, "key": key, "request_hash": fingerprint, "response": "{}", "created_at": uow.now},
    ).fetchone()
    record_id = claimed[0] if claimed else None
    if record_id is None:
        stored = recall(uow, scope, key, fingerprint)
        assert stored is not None  # the conflicting claim committed, or ours would have gone in
        return stored
    result = work()
    _ANSWER.execute(uow, {"rid": record_id, "answer": to_json(result)})
    return dict(result)
