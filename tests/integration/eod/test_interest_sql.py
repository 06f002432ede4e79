"""Settlement computes interest in SQL; the database's integer arithmetic must give the Python oracle's figure
(product × rate ÷ 360, half up) to the fen, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, literal, select

from corebank.bootstrap import Bank
from corebank.deposits.demand import interest_on_product, interest_sql


@settings(max_examples=60, deadline=None)
@given(
    products=st.lists(st.integers(1, 10**12), min_size=1, max_size=20),
    rate=st.integers(1, 100_000),  # 0.0001 % to 10 %, in ten-thousandths of a percent
)
def test_sql_interest_matches_the_decimal_oracle(bank: Bank, products: list[int], rate: int) -> None:
    def compute(uow: Any) -> list[int]:
        r = literal(rate, BigInteger)
        return [
            int(uow.conn.execute(select(interest_sql(literal(p, BigInteger), r))).scalar()) for p in products
        ]

    got = bank.run(compute, readonly=True)
    assert got == [interest_on_product(p, Decimal(rate) / 10_000) for p in products]


def test_half_a_fen_rounds_up_in_sql(bank: Bank) -> None:
    # 360,000 × 0.35 % ÷ 360 = 3.5 fen → 4; 10,285,714 × 0.35 % ÷ 360 = 99.99999… → 100
    def compute(uow: Any) -> list[int]:
        r = literal(3500, BigInteger)
        return [
            int(uow.conn.execute(select(interest_sql(literal(p, BigInteger), r))).scalar())
            for p in (360_000, 10_285_714)
        ]

    assert bank.run(compute, readonly=True) == [4, 100]
