"""loan end of day: the date through which a loan's penalty interest has accrued

Revision ID: e5a7c9d1f246
Revises: d4f6b8c0e135
Create Date: 2026-11-23 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e5a7c9d1f246"
down_revision = "d4f6b8c0e135"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("penalty_through", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.drop_column("penalty_through")
