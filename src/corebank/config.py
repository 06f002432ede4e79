"""Settings, built once in bootstrap and passed down. Every banking figure here is a default a bank may change."""

from __future__ import annotations

import json
import secrets
from decimal import Decimal
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_KEY_FILE = "dev-keys.json"


class Settings(BaseSettings):
    """CoreBank configuration from COREBANK_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="COREBANK_", extra="ignore")

    environment: str = "development"
    var_dir: Path = Path("var")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1

    # Secrets: from the environment in production; generated under var/ in development.
    jwt_secret: str = ""
    data_keys: str = ""  # JSON {"key id": "hex 32-byte AES key", ...}; the last is the active one
    hash_key: str = ""  # hex key for the keyed hash that indexes encrypted personal data

    token_minutes: int = 15
    # The web consoles (/console, /bank): a session ends after this many idle minutes, and after this many hours
    # in any case.
    console_idle_minutes: int = 15
    console_max_hours: int = 12
    lockout_after_failures: int = 5

    bank_code: str = "313100000013"  # 12-digit CNAPS participant code of this bank (a demo value)
    bank_name: str = "CoreBank Demo Commercial Bank"
    base_currency: str = "CNY"
    head_office_code: str = "0001"

    # Teller authorization (授权): a cash withdrawal at or above this amount needs a supervisor.
    withdrawal_approval_threshold: Decimal = Decimal("50000.00")
    # Personal account classes (银发〔2018〕16号): daily and yearly outflow, and the Type III balance cap.
    class2_daily_outflow: Decimal = Decimal("10000.00")
    class2_yearly_outflow: Decimal = Decimal("200000.00")
    class3_daily_outflow: Decimal = Decimal("2000.00")
    class3_yearly_outflow: Decimal = Decimal("50000.00")
    class3_max_balance: Decimal = Decimal("2000.00")
    # Sweep agreements (双利丰): the smallest balance the customer keeps in the demand account (and the default).
    sweep_min_retained_balance: Decimal = Decimal("5000.00")

    # End of day: an account with no customer-initiated movement for this many days becomes dormant; the
    # runner works the book in chunks of this many ids; a run's lease is dead after this many silent seconds.
    dormant_after_days: int = 365
    eod_chunk_size: int = 50_000
    eod_lease_seconds: int = 120
    eod_chunk_pause_ms: int = 0  # a pause between chunks, to leave the database room for other work
    # Loan-loss provisioning (贷款损失准备): each five-tier class's rate as a fraction of the outstanding principal
    # (DOMAIN.md defaults), "class=fraction" pairs separated by commas; end of day provisions every loan by it.
    loan_provision_rates: str = "normal=0.01,special_mention=0.02,substandard=0.25,doubtful=0.50,loss=1.00"

    # Interbank clearing (CNAPS, DOMAIN.md "Payments and clearing"). The clearing house's address and the token
    # this bank presents to it (and expects back on deliveries to /api/v1/clearing/inbound).
    clearing_url: str = "http://127.0.0.1:8600"
    clearing_token: str = "dev-clearing-token"
    clearing_timeout_seconds: float = 10.0
    # HVPS (大额实时支付) takes payments on working days within these hours; BEPS (小额批量支付) runs 7x24 up to
    # its single-payment limit. A payment the customer asks for after `interbank_cutoff` is value-dated the next
    # working day.
    hvps_open: str = "08:30"
    hvps_close: str = "17:15"
    beps_single_limit: Decimal = Decimal("50000.00")
    interbank_cutoff: str = "17:00"
    # The zone of the bank's wall clock, for HVPS hours and the cut-off (timestamps stay UTC).
    bank_timezone: str = "Asia/Shanghai"
    # Counter interbank transfer fees (DOMAIN.md): "up-to=fee" bands in CNY, then "above=percent%:cap" for larger
    # amounts. E-channel transfers are free.
    interbank_fee_bands: str = "10000=5,100000=10,500000=15,1000000=20,above=0.002%:200"
    # An inbound credit whose creditor name differs from the account holder's is returned (BE01) unless "off".
    inbound_name_check: str = "on"
    # `corebank serve` sends created interbank payments to clearing every this many seconds (0: no sender).
    clearing_send_interval_seconds: float = 2.0

    # Direct debits (代扣): a collection refused for want of funds is tried again this many days later, up to
    # `direct_debit_max_attempts` attempts in all. A standing order is suspended after this many failed runs
    # in a row.
    direct_debit_retry_days: int = 1
    direct_debit_max_attempts: int = 3
    standing_order_max_failures: int = 3

    # ---- Channels (DOMAIN.md "Channels, limits and fees", "ATM and POS: ISO 8583")
    # Customers on e-channels: access tokens live this many minutes, refresh tokens this many hours; a login is
    # locked after this many wrong passwords or codes in a row.
    customer_token_minutes: int = 10
    customer_refresh_hours: int = 12
    customer_lockout_after_failures: int = 5
    # One-time codes (SMS or TOTP-checked): digits, lifetime, wrong tries before the code is void.
    otp_digits: int = 6
    otp_ttl_seconds: int = 300
    otp_max_attempts: int = 3
    # How SMS leave the bank: "outbox" (development: a table the tests and the demo read) or "log".
    sms_sender: str = "outbox"
    totp_issuer: str = "CoreBank"
    # A transfer above this amount needs a one-time code bound to its amount and payee (dynamic linking).
    signing_threshold: Decimal = Decimal("5000.00")
    # Default channel limits, loaded into the limit table at init: "channel/tx_type: single=..., daily=...,
    # yearly=..., count=..." entries separated by ";" (amounts in the base currency; count is per day).
    channel_limit_defaults: str = (
        "internet/transfer: single=50000, daily=200000; mobile/transfer: single=50000, daily=200000; "
        "open_api/transfer: single=50000, daily=200000; atm/withdrawal: single=2500, daily=20000; "
        "atm/transfer: daily=50000; pos/purchase: single=50000, daily=100000"
    )
    # Debit cards: the BIN (UnionPay starts with 62), PAN length with its Luhn digit, years of validity, and wrong
    # PINs in a day before the card is locked until the next day.
    card_bin: str = "621788"
    card_pan_length: int = 19
    card_valid_years: int = 5
    pin_tries_per_day: int = 3
    # The ATM/POS switch (ISO 8583 over TCP, 2-byte length prefix); transfers from an ATM to another person's
    # account are credited after this many hours unless revoked.
    atm_host: str = "127.0.0.1"
    atm_port: int = 8583
    atm_transfer_delay_hours: int = 24
    atm_idle_timeout_seconds: float = 300.0
    # Points (积分): earned per yuan of card spending, per 10,000 yuan of average daily deposits a month;
    # redeemed at this many points per yuan; they expire this many days after they were earned.
    points_per_yuan_spent: Decimal = Decimal("1")
    points_per_10k_holding: Decimal = Decimal("10")
    points_per_yuan_redeemed: int = 100
    points_expiry_days: int = 730
    # Channel monitoring: an alert when a channel's error rate or p99 latency over the window passes these.
    channel_alert_error_rate: Decimal = Decimal("0.05")
    channel_alert_p99_ms: int = 1000
    channel_alert_window_minutes: int = 5
    channel_alert_min_requests: int = 20

    page_size_default: int = 50
    page_size_max: int = 500
    extra: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'corebank.db'}"
        if self.environment != "development" and not (self.jwt_secret and self.data_keys and self.hash_key):
            raise ValueError("outside development, COREBANK_JWT_SECRET, _DATA_KEYS and _HASH_KEY must be set")
        return self

    def with_dev_secrets(self) -> Settings:
        """Fill missing secrets from var/dev-keys.json, creating it once (development only)."""
        if self.jwt_secret and self.data_keys and self.hash_key:
            return self
        path = self.var_dir / DEV_KEY_FILE
        if path.exists():
            keys = json.loads(path.read_text())
        else:
            self.var_dir.mkdir(parents=True, exist_ok=True)
            keys = {
                "jwt_secret": secrets.token_hex(32),
                "data_keys": json.dumps({"k1": secrets.token_hex(32)}),
                "hash_key": secrets.token_hex(32),
            }
            path.write_text(json.dumps(keys))
            path.chmod(0o600)
            print(f"development keys generated in {path} (set COREBANK_* secrets in production)")
        return self.model_copy(
            update={
                "jwt_secret": self.jwt_secret or keys["jwt_secret"],
                "data_keys": self.data_keys or keys["data_keys"],
                "hash_key": self.hash_key or keys["hash_key"],
            }
        )
