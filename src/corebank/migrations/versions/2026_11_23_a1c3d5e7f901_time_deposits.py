"""Time deposits (整存整取): certificates, maturity instructions, loss reports.

Revision ID: a1c3d5e7f901
Revises: 901792510f59
Create Date: 2026-11-23 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "a1c3d5e7f901"
down_revision = "901792510f59"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
