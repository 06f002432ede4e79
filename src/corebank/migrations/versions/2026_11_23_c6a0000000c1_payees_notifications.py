"""channels: payees, notification settings, the e-channel transfer journal

Revision ID: c6a0000000c1
Revises: c6a0000000b1
Create Date: 2026-11-23 08:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c6a0000000c1"
down_revision = "c6a0000000b1"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ebank_payees",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("name", sa.String(length=140), nullable=False),
        sa.Column("account_number", sa.String(length=34), nullable=False),
        sa.Column("bank_code", sa.String(length=20), nullable=False),
        sa.Column("nickname", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_ebank_payees_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ebank_payees")),
    )
    with op.batch_alter_table("ebank_payees", schema=None) as batch_op:
        batch_op.create_index("ix_ebank_payees_customer_status", ["customer_id", "status"], unique=False)

    op.create_table(
        "ebank_notification_settings",
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("sms_on_debit_over", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("sms_on_credit", sa.Boolean(), nullable=False),
        sa.Column("sms_on_login", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_ebank_notification_settings_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_ebank_notification_settings")),
    )

    op.create_table(
        "ebank_transfers",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("from_account", sa.String(length=24), nullable=False),
        sa.Column("to_account", sa.String(length=34), nullable=False),
        sa.Column("bank_code", sa.String(length=20), nullable=False),
        sa.Column("creditor_name", sa.String(length=140), nullable=False),
        sa.Column("payee_id", sa.BigInteger(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("memo", sa.String(length=140), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=True),
        sa.Column("payment_id", sa.BigInteger(), nullable=True),
        sa.Column("signed", sa.Boolean(), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_ebank_transfers_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ebank_transfers")),
    )
    with op.batch_alter_table("ebank_transfers", schema=None) as batch_op:
        batch_op.create_index("ix_ebank_transfers_customer", ["customer_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ebank_transfers", schema=None) as batch_op:
        batch_op.drop_index("ix_ebank_transfers_customer")
    op.drop_table("ebank_transfers")
    op.drop_table("ebank_notification_settings")
    with op.batch_alter_table("ebank_payees", schema=None) as batch_op:
        batch_op.drop_index("ix_ebank_payees_customer_status")
    op.drop_table("ebank_payees")
