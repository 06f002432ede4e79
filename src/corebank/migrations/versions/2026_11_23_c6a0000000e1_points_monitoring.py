"""channels: points, channel monitoring

Revision ID: c6a0000000e1
Revises: c6a0000000d2
Create Date: 2026-11-23 08:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c6a0000000e1"
down_revision = "c6a0000000d2"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# Latency bucket counts (ms upper bounds, then slower), as in corebank.channels.monitoring_models.BUCKET_COLUMNS:
# spelled out so that the migration stays what it was when the code moves on.
BUCKETS = (
    "ms_1",
    "ms_2",
    "ms_5",
    "ms_10",
    "ms_20",
    "ms_50",
    "ms_100",
    "ms_200",
    "ms_500",
    "ms_1000",
    "ms_2000",
    "ms_5000",
    "ms_slower",
)


def upgrade() -> None:
    op.create_table(
        "channel_alerts",
        sa.Column("id", ID, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=24), nullable=False),
        sa.Column("threshold", sa.String(length=24), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.Column("window_minutes", sa.BigInteger(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_value", sa.String(length=24), nullable=True),
        sa.Column("active_key", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_alerts")),
        sa.UniqueConstraint("active_key", name=op.f("uq_channel_alerts_active_key")),
    )
    op.create_table(
        "channel_stats",
        sa.Column("id", ID, nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("tx_type", sa.String(length=120), nullable=False),
        sa.Column("minute", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.Column("ok", sa.BigInteger(), nullable=False),
        sa.Column("refused", sa.BigInteger(), nullable=False),
        sa.Column("errors", sa.BigInteger(), nullable=False),
        sa.Column("latency_us", sa.BigInteger(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in BUCKETS),
        sa.Column("flushed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_stats")),
        sa.UniqueConstraint("batch", "channel", "tx_type", "minute", name=op.f("uq_channel_stats_batch")),
    )
    with op.batch_alter_table("channel_stats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_stats_minute"), ["minute"], unique=False)

    op.create_table(
        "channel_stat_codes",
        sa.Column("id", ID, nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("tx_type", sa.String(length=120), nullable=False),
        sa.Column("minute", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_stat_codes")),
    )
    with op.batch_alter_table("channel_stat_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_stat_codes_minute"), ["minute"], unique=False)

    op.create_table(
        "points_rules",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("rate", sa.String(length=24), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_points_rules")),
    )
    op.create_table(
        "points_lots",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("earned_on", sa.Date(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("remaining", sa.BigInteger(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_ref", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_points_lots_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_lots")),
        sa.UniqueConstraint(
            "customer_id", "source_kind", "source_ref", name=op.f("uq_points_lots_customer_id")
        ),
    )
    with op.batch_alter_table("points_lots", schema=None) as batch_op:
        batch_op.create_index("ix_points_lots_customer_expiry", ["customer_id", "expires_on"], unique=False)

    op.create_table(
        "points_moves",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ref", sa.String(length=60), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("lot_id", ID, nullable=True),
        sa.Column("entry_id", ID, nullable=True),
        sa.Column("memo", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_points_moves_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_points_moves_entry_id_journal_entries")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["points_lots.id"], name=op.f("fk_points_moves_lot_id_points_lots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_moves")),
    )
    with op.batch_alter_table("points_moves", schema=None) as batch_op:
        batch_op.create_index("ix_points_moves_customer", ["customer_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_points_moves_lot_id"), ["lot_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("points_moves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_moves_lot_id"))
        batch_op.drop_index("ix_points_moves_customer")

    op.drop_table("points_moves")
    with op.batch_alter_table("points_lots", schema=None) as batch_op:
        batch_op.drop_index("ix_points_lots_customer_expiry")

    op.drop_table("points_lots")
    op.drop_table("points_rules")
    with op.batch_alter_table("channel_stats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_stats_minute"))

    op.drop_table("channel_stats")
    with op.batch_alter_table("channel_stat_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_stat_codes_minute"))

    op.drop_table("channel_stat_codes")
    op.drop_table("channel_alerts")
