"""Helpers the REST end-to-end tests share: problem+json assertions, request keys, unique identities."""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from typing import Any

import httpx

from corebank.customers import make_resident_id

PROBLEM_JSON = "application/problem+json"
_seq = itertools.count(1)


def key() -> str:
    """A fresh Idempotency-Key."""
    return f"e2e-{uuid.uuid4().hex}"


def assert_problem(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with `status` and the stable `code`; return its body."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].split(";")[0] == PROBLEM_JSON, r.headers["content-type"]
    body: dict[str, Any] = r.json()
    assert body["code"] == code, body
    assert body["status"] == status
    assert body["title"] and body["detail"]
    assert body["type"] == f"https://corebank.dev/problems/{code.lower().replace('_', '-')}"
    return body


def unique_resident_id() -> str:
    """A valid resident ID from a region the shared factories never use, so it collides with nobody."""
    n = next(_seq)
    return make_resident_id("130100", date(1950 + n % 50, 1 + n % 12, 1 + n % 28), (n * 13) % 1000)


def unique_phone() -> str:
    """A mainland mobile number no other test uses (the 136 prefix is this package's own)."""
    return f"136{uuid.uuid4().int % 100_000_000:08d}"


def customer_body(**overrides: Any) -> dict[str, Any]:
    """A valid request to open an individual customer."""
    body: dict[str, Any] = {
        "type": "individual",
        "name": f"Qian Hua {uuid.uuid4().hex[:8]}",
        "id_type": "resident_id",
        "id_number": unique_resident_id(),
        "phone": unique_phone(),
    }
    body.update(overrides)
    return body
