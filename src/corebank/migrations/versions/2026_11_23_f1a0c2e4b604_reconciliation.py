"""reconciliation: runs against the clearing house's settlement file, their lines, and exceptions

Revision ID: f1a0c2e4b604
Revises: f1a0c2e4b603
Create Date: 2026-11-23 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f1a0c2e4b604"
down_revision = "f1a0c2e4b603"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "recon_runs",
        sa.Column("id", _ID, nullable=False),
        sa.Column("settlement_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("rows_in_file", sa.BigInteger(), nullable=False),
        sa.Column("matched", sa.BigInteger(), nullable=False),
        sa.Column("exceptions", sa.BigInteger(), nullable=False),
        sa.Column("new_exceptions", sa.BigInteger(), nullable=False),
        sa.Column("cleared_exceptions", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("suspense_balance", sa.BigInteger(), nullable=False),
        sa.Column("suspense_in_flight", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=400), nullable=False),
        sa.Column("run_by", sa.String(length=64), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recon_runs")),
    )
    with op.batch_alter_table("recon_runs", schema=None) as batch_op:
        batch_op.create_index("ix_recon_runs_date", ["settlement_date", "id"], unique=False)

    op.create_table(
        "recon_file_lines",
        sa.Column("id", _ID, nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("line_no", sa.BigInteger(), nullable=False),
        sa.Column("system", sa.String(length=4), nullable=False),
        sa.Column("batch_id", sa.String(length=35), nullable=False),
        sa.Column("msg_type", sa.String(length=8), nullable=False),
        sa.Column("msg_id", sa.String(length=35), nullable=False),
        sa.Column("tx_id", sa.String(length=35), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=False),
        sa.Column("original_tx_id", sa.String(length=35), nullable=False),
        sa.Column("debtor_bank_code", sa.String(length=12), nullable=False),
        sa.Column("creditor_bank_code", sa.String(length=12), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("settled_at", sa.String(length=40), nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recon_file_lines")),
    )
    with op.batch_alter_table("recon_file_lines", schema=None) as batch_op:
        batch_op.create_index("ix_recon_file_lines_run", ["run_id", "payment_id"], unique=False)

    op.create_table(
        "recon_exceptions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("last_run_id", sa.BigInteger(), nullable=False),
        sa.Column("settlement_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("msg_type", sa.String(length=8), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("tx_id", sa.String(length=35), nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("bank_status", sa.String(length=16), nullable=True),
        sa.Column("bank_amount", sa.BigInteger(), nullable=True),
        sa.Column("clearing_status", sa.String(length=16), nullable=True),
        sa.Column("clearing_amount", sa.BigInteger(), nullable=True),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("note", sa.String(length=400), nullable=False),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("entry_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recon_exceptions")),
        sa.UniqueConstraint(
            "settlement_date",
            "kind",
            "msg_type",
            "direction",
            "tx_id",
            name=op.f("uq_recon_exceptions_settlement_date"),
        ),
    )
    with op.batch_alter_table("recon_exceptions", schema=None) as batch_op:
        batch_op.create_index("ix_recon_exceptions_owner", ["owner", "status", "id"], unique=False)
        batch_op.create_index("ix_recon_exceptions_status", ["status", "settlement_date", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recon_exceptions", schema=None) as batch_op:
        batch_op.drop_index("ix_recon_exceptions_status")
        batch_op.drop_index("ix_recon_exceptions_owner")
    op.drop_table("recon_exceptions")
    with op.batch_alter_table("recon_file_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_recon_file_lines_run")
    op.drop_table("recon_file_lines")
    with op.batch_alter_table("recon_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_recon_runs_date")
    op.drop_table("recon_runs")
