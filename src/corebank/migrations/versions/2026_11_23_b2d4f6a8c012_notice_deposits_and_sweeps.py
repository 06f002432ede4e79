"""Notice deposits (通知存款), their notices and withdrawals, and sweep agreements (双利丰).

Revision ID: b2d4f6a8c012
Revises: a1c3d5e7f901
Create Date: 2026-11-23 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b2d4f6a8c012"
down_revision = "a1c3d5e7f901"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sweep_agreements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("active_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("account_number", sa.String(length=24), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("branch_code", sa.String(length=8), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("notice_product_code", sa.String(length=32), nullable=False),
        sa.Column("retained_balance", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("signed_by", sa.String(length=64), nullable=False),
        sa.Column("last_swept_on", sa.Date(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("cancelled_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_sweep_agreements_account_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["active_account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_sweep_agreements_active_account_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_sweep_agreements_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["notice_product_code"],
            ["products.code"],
            name=op.f("fk_sweep_agreements_notice_product_code_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sweep_agreements")),
        sa.UniqueConstraint("active_account_id", name=op.f("uq_sweep_agreements_active_account_id")),
    )
    with op.batch_alter_table("sweep_agreements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sweep_agreements_account_id"), ["account_id"], unique=False)

    op.create_table(
        "notice_deposits",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_code", sa.String(length=32), nullable=False),
        sa.Column("term", sa.String(length=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("branch_code", sa.String(length=8), nullable=False),
        sa.Column("gl_code", sa.String(length=8), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("swept", sa.Boolean(), nullable=False),
        sa.Column("sweep_agreement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("source_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("interest_from", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_notice_deposits_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["id"], ["ledger_accounts.id"], name=op.f("fk_notice_deposits_id_ledger_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["product_code"], ["products.code"], name=op.f("fk_notice_deposits_product_code_products")
        ),
        sa.ForeignKeyConstraint(
            ["source_account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_notice_deposits_source_account_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["sweep_agreement_id"],
            ["sweep_agreements.id"],
            name=op.f("fk_notice_deposits_sweep_agreement_id_sweep_agreements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_deposits")),
        sa.UniqueConstraint("number", name=op.f("uq_notice_deposits_number")),
    )
    with op.batch_alter_table("notice_deposits", schema=None) as batch_op:
        batch_op.create_index("ix_notice_deposits_agreement", ["sweep_agreement_id", "status"], unique=False)
        batch_op.create_index("ix_notice_deposits_customer", ["customer_id", "status"], unique=False)

    op.create_table(
        "withdrawal_notices",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("deposit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("withdrawal_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["deposit_id"],
            ["notice_deposits.id"],
            name=op.f("fk_withdrawal_notices_deposit_id_notice_deposits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_withdrawal_notices")),
    )
    with op.batch_alter_table("withdrawal_notices", schema=None) as batch_op:
        batch_op.create_index("ix_withdrawal_notices_deposit", ["deposit_id", "status"], unique=False)
        batch_op.create_index("ix_withdrawal_notices_due", ["status", "withdrawal_date"], unique=False)

    op.create_table(
        "notice_withdrawals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("deposit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("notice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=False),
        sa.Column("days_held", sa.BigInteger(), nullable=False),
        sa.Column("at_notice_rate", sa.BigInteger(), nullable=False),
        sa.Column("notice_rate", sa.String(length=12), nullable=False),
        sa.Column("at_demand_rate", sa.BigInteger(), nullable=False),
        sa.Column("demand_rate", sa.String(length=12), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.Column("paid_to", sa.String(length=24), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["deposit_id"],
            ["notice_deposits.id"],
            name=op.f("fk_notice_withdrawals_deposit_id_notice_deposits"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_notice_withdrawals_entry_id_journal_entries")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["withdrawal_notices.id"],
            name=op.f("fk_notice_withdrawals_notice_id_withdrawal_notices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_withdrawals")),
    )
    with op.batch_alter_table("notice_withdrawals", schema=None) as batch_op:
        batch_op.create_index("ix_notice_withdrawals_deposit", ["deposit_id"], unique=False)


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("notice_withdrawals", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_withdrawals_deposit")

    op.drop_table("notice_withdrawals")
    with op.batch_alter_table("withdrawal_notices", schema=None) as batch_op:
        batch_op.drop_index("ix_withdrawal_notices_due")
        batch_op.drop_index("ix_withdrawal_notices_deposit")

    op.drop_table("withdrawal_notices")
    with op.batch_alter_table("notice_deposits", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_deposits_customer")
        batch_op.drop_index("ix_notice_deposits_agreement")

    op.drop_table("notice_deposits")
    with op.batch_alter_table("sweep_agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sweep_agreements_account_id"))

    op.drop_table("sweep_agreements")
