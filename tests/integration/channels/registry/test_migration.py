"""A bank made before the channel tables gets the default limits and fees from the migration that makes them;
a new database gets them from `corebank init` instead."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from corebank import bootstrap
from corebank.config import Settings

BEFORE_CHANNEL_TABLES = "c6a0000000f0"


def test_an_upgraded_bank_gets_the_default_limits_and_fees(settings: Settings, tmp_path: Path) -> None:
    bank = bootstrap.build(settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'old.db'}"}))
    try:
        bootstrap.upgrade_db(bank, BEFORE_CHANNEL_TABLES)
        with bank.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO bank_state (id, bank_code, bank_name, business_date, base_currency, "
                    "initialized_at, phase) VALUES (1, '313100000013', 'Old bank', '2026-03-02', 'CNY', "
                    "'2026-03-02 00:00:00', 'open')"
                )
            )
        bootstrap.upgrade_db(bank)
        with bank.engine.connect() as conn:
            limits = conn.execute(
                text("SELECT channel, tx_type, single_max, daily_max FROM channel_limits ORDER BY id")
            ).all()
            fees = conn.execute(
                text(
                    "SELECT channel, tier, band_upto, fixed_fee, rate, cap FROM fee_rules "
                    "WHERE tx_type = 'interbank' ORDER BY id"
                )
            ).all()
        assert ("internet", "transfer", 5_000_000, 20_000_000) in limits
        assert ("atm", "withdrawal", 250_000, 2_000_000) in limits
        assert fees[0] == ("counter", "*", 1_000_000, 500, "0", None)
        assert ("counter", "*", None, 0, "0.00002", 20_000) in fees
        assert ("*", "vip", None, 0, "0", None) in fees
    finally:
        bank.dispose()


def test_a_new_database_gets_them_at_init_only(settings: Settings, tmp_path: Path) -> None:
    bank = bootstrap.build(settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'new.db'}"}))
    try:
        bootstrap.upgrade_db(bank)
        with bank.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM channel_limits")).scalar() == 0
        assert bootstrap.initialize(bank).created
        with bank.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM channel_limits")).scalar() == 6
            assert conn.execute(text("SELECT count(*) FROM fee_rules")).scalar() == 9
    finally:
        bank.dispose()
