"""channels: ATM journal, ATM transfers

Revision ID: c6a0000000d2
Revises: c6a0000000d1
Create Date: 2026-11-23 08:20:00
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "c6a0000000d2"
down_revision = "c6a0000000d1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
