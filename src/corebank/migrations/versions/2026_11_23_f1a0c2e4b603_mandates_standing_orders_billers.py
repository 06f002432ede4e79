"""mandates standing orders billers: direct debit mandates (代扣) and their debits, standing orders and their
runs, registered billers

Revision ID: f1a0c2e4b603
Revises: f1a0c2e4b602
Create Date: 2026-11-23 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f1a0c2e4b603"
down_revision = "f1a0c2e4b602"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=140), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("settlement_account_id", sa.BigInteger(), nullable=False),
        sa.Column("settlement_account", sa.String(length=24), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reference_pattern", sa.String(length=200), nullable=False),
        sa.Column("check_digit", sa.String(length=8), nullable=False),
        sa.Column("min_amount", sa.BigInteger(), nullable=False),
        sa.Column("max_amount", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billers")),
        sa.UniqueConstraint("code", name=op.f("uq_billers_code")),
    )
    op.create_table(
        "direct_debits",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("mandate_id", sa.BigInteger(), nullable=False),
        sa.Column("creditor_reference", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.BigInteger(), nullable=False),
        sa.Column("next_attempt_date", sa.Date(), nullable=True),
        sa.Column("last_attempt_date", sa.Date(), nullable=True),
        sa.Column("last_error", sa.String(length=40), nullable=True),
        sa.Column("entry_id", sa.BigInteger(), nullable=True),
        sa.Column("request_key", sa.String(length=128), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direct_debits")),
        sa.UniqueConstraint("mandate_id", "request_key", name=op.f("uq_direct_debits_mandate_id")),
    )
    with op.batch_alter_table("direct_debits", schema=None) as batch_op:
        batch_op.create_index("ix_direct_debits_mandate", ["mandate_id", "id"], unique=False)
        batch_op.create_index("ix_direct_debits_status", ["status", "next_attempt_date", "id"], unique=False)
    op.create_table(
        "mandates",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("mandate_ref", sa.String(length=35), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("debtor_account_id", sa.BigInteger(), nullable=False),
        sa.Column("debtor_account", sa.String(length=24), nullable=False),
        sa.Column("branch_code", sa.String(length=8), nullable=False),
        sa.Column("biller_code", sa.String(length=16), nullable=True),
        sa.Column("creditor_account_id", sa.BigInteger(), nullable=False),
        sa.Column("creditor_account", sa.String(length=24), nullable=False),
        sa.Column("creditor_reference", sa.String(length=64), nullable=False),
        sa.Column("limit_per_debit", sa.BigInteger(), nullable=False),
        sa.Column("limit_per_month", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("month_start", sa.Date(), nullable=True),
        sa.Column("month_collected", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("revoke_reason", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandates")),
        sa.UniqueConstraint("mandate_ref", name=op.f("uq_mandates_mandate_ref")),
    )
    with op.batch_alter_table("mandates", schema=None) as batch_op:
        batch_op.create_index("ix_mandates_debtor", ["debtor_account_id", "id"], unique=False)
        batch_op.create_index("ix_mandates_status_expiry", ["status", "expiry_date"], unique=False)
    op.create_table(
        "standing_order_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=True),
        sa.Column("interbank_payment_id", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standing_order_runs")),
        sa.UniqueConstraint("order_id", "run_date", name=op.f("uq_standing_order_runs_order_id")),
    )
    op.create_table(
        "standing_orders",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("from_account_id", sa.BigInteger(), nullable=False),
        sa.Column("from_account", sa.String(length=24), nullable=False),
        sa.Column("payer_name", sa.String(length=140), nullable=False),
        sa.Column("branch_code", sa.String(length=8), nullable=False),
        sa.Column("to_bank_code", sa.String(length=12), nullable=True),
        sa.Column("to_account", sa.String(length=34), nullable=False),
        sa.Column("to_account_id", sa.BigInteger(), nullable=True),
        sa.Column("to_name", sa.String(length=140), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("frequency", sa.String(length=8), nullable=False),
        sa.Column("day", sa.BigInteger(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("next_run_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("failures", sa.BigInteger(), nullable=False),
        sa.Column("last_error", sa.String(length=40), nullable=True),
        sa.Column("memo", sa.String(length=140), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standing_orders")),
    )
    with op.batch_alter_table("standing_orders", schema=None) as batch_op:
        batch_op.create_index("ix_standing_orders_due", ["status", "next_run_date", "id"], unique=False)
        batch_op.create_index("ix_standing_orders_from", ["from_account_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("standing_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_standing_orders_from")
        batch_op.drop_index("ix_standing_orders_due")
    op.drop_table("standing_orders")
    op.drop_table("standing_order_runs")
    with op.batch_alter_table("mandates", schema=None) as batch_op:
        batch_op.drop_index("ix_mandates_status_expiry")
        batch_op.drop_index("ix_mandates_debtor")
    op.drop_table("mandates")
    with op.batch_alter_table("direct_debits", schema=None) as batch_op:
        batch_op.drop_index("ix_direct_debits_status")
        batch_op.drop_index("ix_direct_debits_mandate")
    op.drop_table("direct_debits")
    op.drop_table("billers")
    # ### end Alembic commands ###
