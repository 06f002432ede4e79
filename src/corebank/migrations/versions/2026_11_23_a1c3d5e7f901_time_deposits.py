"""Time deposits (整存整取): certificates, maturity instructions, loss reports.

Revision ID: a1c3d5e7f901
Revises: 901792510f59
Create Date: 2026-11-23 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a1c3d5e7f901"
down_revision = "901792510f59"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "time_deposits",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("certificate_number", sa.String(length=24), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_code", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("branch_code", sa.String(length=8), nullable=False),
        sa.Column("gl_code", sa.String(length=16), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("opening_principal", sa.BigInteger(), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("annual_rate", sa.String(length=12), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=False),
        sa.Column("maturity_date", sa.Date(), nullable=False),
        sa.Column("maturity_instruction", sa.String(length=40), nullable=False),
        sa.Column("linked_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("partial_withdrawals", sa.Integer(), nullable=False),
        sa.Column("interest_paid", sa.BigInteger(), nullable=False),
        sa.Column("rollovers", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("matured_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_code"], ["branches.code"], name=op.f("fk_time_deposits_branch_code_branches")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_time_deposits_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["gl_code"], ["gl_accounts.code"], name=op.f("fk_time_deposits_gl_code_gl_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["id"], ["ledger_accounts.id"], name=op.f("fk_time_deposits_id_ledger_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["linked_account_id"],
            ["deposit_accounts.id"],
            name=op.f("fk_time_deposits_linked_account_id_deposit_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["product_code"], ["products.code"], name=op.f("fk_time_deposits_product_code_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_deposits")),
        sa.UniqueConstraint("certificate_number", name=op.f("uq_time_deposits_certificate_number")),
    )
    with op.batch_alter_table("time_deposits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_deposits_branch_code"), ["branch_code"], unique=False)
        batch_op.create_index("ix_time_deposits_customer", ["customer_id", "id"], unique=False)
        batch_op.create_index("ix_time_deposits_maturity", ["status", "maturity_date"], unique=False)

    op.create_table(
        "time_deposit_certificates",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("deposit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("voided_on", sa.Date(), nullable=True),
        sa.Column("void_reason", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["deposit_id"],
            ["time_deposits.id"],
            name=op.f("fk_time_deposit_certificates_deposit_id_time_deposits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_deposit_certificates")),
        sa.UniqueConstraint("number", name=op.f("uq_time_deposit_certificates_number")),
    )
    with op.batch_alter_table("time_deposit_certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_time_deposit_certificates_deposit_id"), ["deposit_id"], unique=False
        )

    op.create_table(
        "time_deposit_interest",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("deposit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("annual_rate", sa.String(length=12), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(
            ["deposit_id"],
            ["time_deposits.id"],
            name=op.f("fk_time_deposit_interest_deposit_id_time_deposits"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_time_deposit_interest_entry_id_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_deposit_interest")),
    )
    with op.batch_alter_table("time_deposit_interest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_deposit_interest_deposit_id"), ["deposit_id"], unique=False)

    op.create_table(
        "time_deposit_loss_reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("deposit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("certificate_number", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deposit_id"],
            ["time_deposits.id"],
            name=op.f("fk_time_deposit_loss_reports_deposit_id_time_deposits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_deposit_loss_reports")),
    )
    with op.batch_alter_table("time_deposit_loss_reports", schema=None) as batch_op:
        batch_op.create_index("ix_time_deposit_loss_reports_deposit", ["deposit_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("time_deposit_loss_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_time_deposit_loss_reports_deposit")

    op.drop_table("time_deposit_loss_reports")
    with op.batch_alter_table("time_deposit_interest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_deposit_interest_deposit_id"))

    op.drop_table("time_deposit_interest")
    with op.batch_alter_table("time_deposit_certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_deposit_certificates_deposit_id"))

    op.drop_table("time_deposit_certificates")
    with op.batch_alter_table("time_deposits", schema=None) as batch_op:
        batch_op.drop_index("ix_time_deposits_maturity")
        batch_op.drop_index("ix_time_deposits_customer")
        batch_op.drop_index(batch_op.f("ix_time_deposits_branch_code"))

    op.drop_table("time_deposits")
