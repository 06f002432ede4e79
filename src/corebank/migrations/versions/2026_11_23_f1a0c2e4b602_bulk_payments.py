"""bulk payments: pain.001 files and their lines

Revision ID: f1a0c2e4b602
Revises: f1a0c2e4b601
Create Date: 2026-11-23 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f1a0c2e4b602"
down_revision = "f1a0c2e4b601"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bulk_batches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("msg_id", sa.String(length=35), nullable=False),
        sa.Column("initiating_party", sa.String(length=140), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("payer_account_id", sa.BigInteger(), nullable=False),
        sa.Column("payer_account", sa.String(length=34), nullable=False),
        sa.Column("payer_name", sa.String(length=140), nullable=False),
        sa.Column("branch_code", sa.String(length=8), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("requested_execution_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("line_count", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("credited_count", sa.BigInteger(), nullable=False),
        sa.Column("credited_total", sa.BigInteger(), nullable=False),
        sa.Column("external_count", sa.BigInteger(), nullable=False),
        sa.Column("external_total", sa.BigInteger(), nullable=False),
        sa.Column("failed_count", sa.BigInteger(), nullable=False),
        sa.Column("failed_total", sa.BigInteger(), nullable=False),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("error_text", sa.String(length=400), nullable=False),
        sa.Column("funding_entry_id", sa.BigInteger(), nullable=True),
        sa.Column("refund_entry_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_by", sa.String(length=64), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_batches")),
        sa.UniqueConstraint("payer_account_id", "msg_id", name=op.f("uq_bulk_batches_payer_account_id")),
    )
    with op.batch_alter_table("bulk_batches", schema=None) as batch_op:
        batch_op.create_index("ix_bulk_batches_branch", ["branch_code", "id"], unique=False)

    op.create_table(
        "bulk_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("pmt_inf_id", sa.String(length=35), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=False),
        sa.Column("creditor_account", sa.String(length=34), nullable=False),
        sa.Column("creditor_name", sa.String(length=140), nullable=False),
        sa.Column("creditor_bank_code", sa.String(length=12), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("remittance", sa.String(length=140), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason_code", sa.String(length=8), nullable=True),
        sa.Column("reason_text", sa.String(length=200), nullable=False),
        sa.Column("payee_account_id", sa.BigInteger(), nullable=True),
        sa.Column("credit_entry_id", sa.BigInteger(), nullable=True),
        sa.Column("interbank_payment_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_lines")),
        sa.UniqueConstraint("batch_id", "seq", name=op.f("uq_bulk_lines_batch_id")),
    )


def downgrade() -> None:
    op.drop_table("bulk_lines")
    with op.batch_alter_table("bulk_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_bulk_batches_branch")

    op.drop_table("bulk_batches")
