"""channels: cards, terminals

Revision ID: c6a0000000d1
Revises: c6a0000000c1
Create Date: 2026-11-23 08:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c6a0000000d1"
down_revision = "c6a0000000c1"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cards",
        sa.Column("id", ID, nullable=False),
        sa.Column("pan_cipher", sa.String(length=200), nullable=False),
        sa.Column("pan_hash", sa.String(length=64), nullable=False),
        sa.Column("pan_masked", sa.String(length=24), nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("account_number", sa.String(length=24), nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("expiry", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pin_hash", sa.String(length=64), nullable=False),
        sa.Column("pin_tries", sa.SmallInteger(), nullable=False),
        sa.Column("pin_tries_day", sa.Date(), nullable=True),
        sa.Column("replaced_by", ID, nullable=True),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["deposit_accounts.id"], name=op.f("fk_cards_account_id_deposit_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_cards_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["replaced_by"], ["cards.id"], name=op.f("fk_cards_replaced_by_cards")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cards")),
        sa.UniqueConstraint("pan_hash", name=op.f("uq_cards_pan_hash")),
    )
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.create_index("ix_cards_account_id", ["account_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_cards_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "atm_terminals",
        sa.Column("id", ID, nullable=False),
        sa.Column("terminal_id", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("branch_code", sa.String(length=8), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("merchant_name", sa.String(length=120), nullable=False),
        sa.Column("pin_key_cipher", sa.String(length=200), nullable=False),
        sa.Column("cash_account_id", ID, nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("signed_on", sa.Boolean(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_code"], ["branches.code"], name=op.f("fk_atm_terminals_branch_code_branches")
        ),
        sa.ForeignKeyConstraint(
            ["cash_account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_atm_terminals_cash_account_id_ledger_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_atm_terminals")),
        sa.UniqueConstraint("terminal_id", name=op.f("uq_atm_terminals_terminal_id")),
    )


def downgrade() -> None:
    op.drop_table("atm_terminals")
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cards_customer_id"))
        batch_op.drop_index("ix_cards_account_id")
    op.drop_table("cards")
