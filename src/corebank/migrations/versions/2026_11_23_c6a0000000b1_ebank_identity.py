"""channels: e-banking identity

Revision ID: c6a0000000b1
Revises: c6a0000000a1
Create Date: 2026-11-23 08:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c6a0000000b1"
down_revision = "c6a0000000a1"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ebank_challenges",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("customer_id", BIG_ID, nullable=False),
        sa.Column("login_id", BIG_ID, nullable=True),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("ticket_hash", sa.String(length=64), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("binding", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("phone_masked", sa.String(length=32), nullable=False),
        sa.Column("payload_cipher", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_ebank_challenges_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["login_id"], ["ebank_logins.id"], name=op.f("fk_ebank_challenges_login_id_ebank_logins")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ebank_challenges")),
        sa.UniqueConstraint("ticket_hash", name=op.f("uq_ebank_challenges_ticket_hash")),
    )
    with op.batch_alter_table("ebank_challenges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ebank_challenges_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "ebank_totp_uses",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("login_id", BIG_ID, nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
        sa.Column("used_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["login_id"], ["ebank_logins.id"], name=op.f("fk_ebank_totp_uses_login_id_ebank_logins")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ebank_totp_uses")),
        sa.UniqueConstraint("login_id", "step", name=op.f("uq_ebank_totp_uses_login_id")),
    )

    op.create_table(
        "ebank_devices",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("login_id", BIG_ID, nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("bound_at", WHEN, nullable=False),
        sa.Column("last_seen_at", WHEN, nullable=False),
        sa.Column("removed_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["login_id"], ["ebank_logins.id"], name=op.f("fk_ebank_devices_login_id_ebank_logins")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ebank_devices")),
        sa.UniqueConstraint("login_id", "device_id", name=op.f("uq_ebank_devices_login_id")),
    )

    op.create_table(
        "ebank_sessions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("login_id", BIG_ID, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("strength", sa.String(length=8), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("refreshed_at", WHEN, nullable=True),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["login_id"], ["ebank_logins.id"], name=op.f("fk_ebank_sessions_login_id_ebank_logins")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ebank_sessions")),
    )
    with op.batch_alter_table("ebank_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ebank_sessions_login_id"), ["login_id"], unique=False)

    op.create_table(
        "ebank_refresh_tokens",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("session_id", BIG_ID, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["ebank_sessions.id"],
            name=op.f("fk_ebank_refresh_tokens_session_id_ebank_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ebank_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_ebank_refresh_tokens_token_hash")),
    )
    with op.batch_alter_table("ebank_refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ebank_refresh_tokens_session_id"), ["session_id"], unique=False)

    op.create_table(
        "sms_outbox",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("phone_masked", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=True),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_outbox")),
    )
    with op.batch_alter_table("sms_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_outbox_phone_hash"), ["phone_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sms_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_outbox_phone_hash"))
    op.drop_table("sms_outbox")
    with op.batch_alter_table("ebank_refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ebank_refresh_tokens_session_id"))
    op.drop_table("ebank_refresh_tokens")
    with op.batch_alter_table("ebank_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ebank_sessions_login_id"))
    op.drop_table("ebank_sessions")
    op.drop_table("ebank_devices")
    op.drop_table("ebank_totp_uses")
    with op.batch_alter_table("ebank_challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ebank_challenges_customer_id"))
    op.drop_table("ebank_challenges")
