"""Pieces of request schemas every area shares: amounts travel as decimal strings, never floats."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

# Plain decimal notation only: Decimal() would also read "1e3", "1_000" and non-ASCII digits, none of which a
# teller or customer types meaning an amount. A minus sign passes here so the service can say "not positive".
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _decimal_text(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError('amount must be a decimal string such as "100.00", not a JSON number')
    value = value.strip()
    if not _PLAIN_DECIMAL.fullmatch(value):
        raise ValueError('amount must be a plain decimal number such as "100.00"')
    return value


AmountText = Annotated[
    str,
    BeforeValidator(_decimal_text),
    Field(max_length=32, examples=["100.00"], description='decimal string, e.g. "100.00"'),
]
