"""channels: ATM journal, ATM transfers

Revision ID: c6a0000000d2
Revises: c6a0000000d1
Create Date: 2026-11-23 08:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c6a0000000d2"
down_revision = "c6a0000000d1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "atm_journal",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("terminal_id", sa.String(length=8), nullable=False),
        sa.Column("stan", sa.String(length=6), nullable=False),
        sa.Column("transmission_date", sa.Date(), nullable=False),
        sa.Column("message", sa.String(length=4), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("tx_type", sa.String(length=16), nullable=False),
        sa.Column("response_code", sa.String(length=2), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=True),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=True),
        sa.Column("reversal_entry_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_atm_journal")),
        sa.UniqueConstraint(
            "terminal_id", "stan", "transmission_date", "message", name="uq_atm_journal_terminal_id"
        ),
    )
    with op.batch_alter_table("atm_journal", schema=None) as batch_op:
        batch_op.create_index("ix_atm_journal_entry_id", ["entry_id"], unique=False)
    op.create_table(
        "atm_transfers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("terminal_id", sa.String(length=8), nullable=False),
        sa.Column("stan", sa.String(length=6), nullable=False),
        sa.Column("payer_account_id", sa.BigInteger(), nullable=False),
        sa.Column("payer_account", sa.String(length=24), nullable=False),
        sa.Column("payer_customer_id", sa.BigInteger(), nullable=False),
        sa.Column("payee_account_id", sa.BigInteger(), nullable=False),
        sa.Column("payee_account", sa.String(length=24), nullable=False),
        sa.Column("payee_customer_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("branch_code", sa.String(length=8), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("credit_entry_id", sa.BigInteger(), nullable=True),
        sa.Column("revoke_entry_id", sa.BigInteger(), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("revoke_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_atm_transfers")),
    )
    with op.batch_alter_table("atm_transfers", schema=None) as batch_op:
        batch_op.create_index("ix_atm_transfers_payer_customer_id", ["payer_customer_id", "id"], unique=False)
        batch_op.create_index("ix_atm_transfers_status", ["status", "due_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("atm_transfers", schema=None) as batch_op:
        batch_op.drop_index("ix_atm_transfers_status")
        batch_op.drop_index("ix_atm_transfers_payer_customer_id")
    op.drop_table("atm_transfers")
    with op.batch_alter_table("atm_journal", schema=None) as batch_op:
        batch_op.drop_index("ix_atm_journal_entry_id")
    op.drop_table("atm_journal")
