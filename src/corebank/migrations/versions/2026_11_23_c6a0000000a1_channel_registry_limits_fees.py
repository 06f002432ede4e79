"""channels: registry, limits, fees

Revision ID: c6a0000000a1
Revises: c6a0000000f0
Create Date: 2026-11-23 08:20:00
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "c6a0000000a1"
down_revision = "c6a0000000f0"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "channel_closures",
        sa.Column("id", ID, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("tx_type", sa.String(length=32), nullable=False),
        sa.Column("closed_by", sa.String(length=64), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_closures")),
        sa.UniqueConstraint("channel", "tx_type", name=op.f("uq_channel_closures_channel")),
    )
    op.create_table(
        "channel_limits",
        sa.Column("id", ID, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("tx_type", sa.String(length=32), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("account_class", sa.Integer(), nullable=False),
        sa.Column("strength", sa.String(length=16), nullable=False),
        sa.Column("single_max", sa.BigInteger(), nullable=True),
        sa.Column("daily_max", sa.BigInteger(), nullable=True),
        sa.Column("yearly_max", sa.BigInteger(), nullable=True),
        sa.Column("daily_count", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_limits")),
        sa.UniqueConstraint(
            "channel",
            "tx_type",
            "tier",
            "account_class",
            "strength",
            "currency",
            name=op.f("uq_channel_limits_channel"),
        ),
    )
    op.create_table(
        "customer_limits",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("tx_type", sa.String(length=32), nullable=False),
        sa.Column("single_max", sa.BigInteger(), nullable=True),
        sa.Column("daily_max", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_customer_limits_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_limits")),
        sa.UniqueConstraint("customer_id", "channel", "tx_type", name=op.f("uq_customer_limits_customer_id")),
    )
    op.create_table(
        "limit_usage",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("tx_type", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_limit_usage_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_limit_usage")),
        sa.UniqueConstraint(
            "customer_id", "channel", "tx_type", "day", "currency", name=op.f("uq_limit_usage_customer_id")
        ),
    )
    op.create_table(
        "fee_rules",
        sa.Column("id", ID, nullable=False),
        sa.Column("tx_type", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("branch_code", sa.String(length=8), nullable=False),
        sa.Column("band_upto", sa.BigInteger(), nullable=True),
        sa.Column("fixed_fee", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.String(length=20), nullable=False),
        sa.Column("cap", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_rules")),
    )
    with op.batch_alter_table("fee_rules", schema=None) as batch_op:
        batch_op.create_index("ix_fee_rules_lookup", ["tx_type", "currency", "channel"], unique=False)
    _load_defaults()


def _load_defaults() -> None:
    """A bank initialized before this revision gets the default limits and fees (DOMAIN.md), from the same
    settings a new bank loads them from at init (COREBANK_CHANNEL_LIMIT_DEFAULTS, COREBANK_INTERBANK_FEE_BANDS
    or their defaults). A new database has no bank yet: `corebank init` loads them."""
    from corebank.channels.limits import default_limit_rows
    from corebank.config import Settings
    from corebank.products.fee_schedule import default_fee_rows

    bind = op.get_bind()
    currency = bind.execute(sa.text("SELECT base_currency FROM bank_state WHERE id = 1")).scalar()
    if currency is None:
        return
    fields = Settings.model_fields
    limits_text = os.environ.get(
        "COREBANK_CHANNEL_LIMIT_DEFAULTS", str(fields["channel_limit_defaults"].default)
    )
    bands_text = os.environ.get("COREBANK_INTERBANK_FEE_BANDS", str(fields["interbank_fee_bands"].default))
    stamp = {"updated_by": "migration", "updated_at": datetime.now(UTC)}
    limits = sa.table(
        "channel_limits",
        *(
            sa.column(c)
            for c in (
                "channel",
                "tx_type",
                "tier",
                "account_class",
                "strength",
                "single_max",
                "daily_max",
                "yearly_max",
                "daily_count",
                "currency",
                "updated_by",
            )
        ),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    fees = sa.table(
        "fee_rules",
        *(
            sa.column(c)
            for c in (
                "tx_type",
                "channel",
                "tier",
                "branch_code",
                "band_upto",
                "fixed_fee",
                "rate",
                "cap",
                "currency",
                "updated_by",
            )
        ),
        sa.column("active", sa.Boolean()),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(limits, [{**r, **stamp} for r in default_limit_rows(limits_text, currency)])
    op.bulk_insert(fees, [{**r, **stamp} for r in default_fee_rows(bands_text, currency)])


def downgrade() -> None:
    with op.batch_alter_table("fee_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_fee_rules_lookup")
    op.drop_table("fee_rules")
    op.drop_table("limit_usage")
    op.drop_table("customer_limits")
    op.drop_table("channel_limits")
    op.drop_table("channel_closures")
