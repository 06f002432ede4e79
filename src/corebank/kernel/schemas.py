"""Pieces of request schemas every area shares: amounts travel as decimal strings, never floats."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field


def _decimal_text(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError('amount must be a decimal string such as "100.00", not a JSON number')
    return value.strip()


AmountText = Annotated[
    str,
    BeforeValidator(_decimal_text),
    Field(max_length=32, examples=["100.00"], description='decimal string, e.g. "100.00"'),
]
