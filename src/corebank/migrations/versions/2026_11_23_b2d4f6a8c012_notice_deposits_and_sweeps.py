"""Notice deposits (通知存款), their notices, and sweep agreements.

Revision ID: b2d4f6a8c012
Revises: a1c3d5e7f901
Create Date: 2026-11-23 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "b2d4f6a8c012"
down_revision = "a1c3d5e7f901"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
