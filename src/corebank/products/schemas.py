"""Product schemas."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ProductRead(BaseModel):
    code: str
    name: str
    name_zh: str
    kind: str
    currency: str
    gl_code: str
    customer_types: list[str]
    min_opening_amount: str
    allow_overdraft: bool
    overdraft_limit: str
    status: str
    params: dict[str, Any]
