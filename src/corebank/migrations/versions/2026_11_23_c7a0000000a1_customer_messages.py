"""channels: secure messages between the bank and its customers

Revision ID: c7a0000000a1
Revises: c6a0000000e1
Create Date: 2026-11-23 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c7a0000000a1"
down_revision = "c6a0000000e1"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "customer_messages",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("thread_id", ID, nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("body", sa.String(length=4000), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("branch_code", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_customer_messages_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_messages")),
    )
    with op.batch_alter_table("customer_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_messages_customer_created", ["customer_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_customer_messages_thread", ["thread_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customer_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_messages_thread")
        batch_op.drop_index("ix_customer_messages_customer_created")

    op.drop_table("customer_messages")
