"""Upgrading a bank made by an earlier release: its demand products keep earning interest after the deposits
and end-of-day migration (the new `interest_method` column is set for them)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from corebank import bootstrap
from corebank.config import Settings

SPINE = "9ef65702341a"


def test_an_upgraded_banks_demand_products_earn_interest(settings: Settings, tmp_path: Path) -> None:
    bank = bootstrap.build(settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'old.db'}"}))
    try:
        bootstrap.upgrade_db(bank, SPINE)
        with bank.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO gl_accounts (code, name, name_zh, gl_class, normal_sign, has_subledger) "
                    "VALUES ('2011', 'Demand deposits', '活期存款', 'liability', -1, 1)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO products (code, name, name_zh, kind, currency, gl_code, customer_types, "
                    "min_opening_amount, allow_overdraft, overdraft_limit, status, params) VALUES "
                    "('OLD_DEMAND', 'Old demand', '旧活期', 'demand_deposit', 'CNY', '2011', 'individual', "
                    "0, 0, 0, 'active', '{}')"
                )
            )
        bootstrap.upgrade_db(bank)
        with bank.engine.connect() as conn:
            row = conn.execute(
                text("SELECT interest_method, terms, fees, channels FROM products WHERE code = 'OLD_DEMAND'")
            ).one()
        assert row[0] == "quarterly"
        assert row[1] == "[]" and row[2] == "{}" and row[3] == "counter"
    finally:
        bank.dispose()
