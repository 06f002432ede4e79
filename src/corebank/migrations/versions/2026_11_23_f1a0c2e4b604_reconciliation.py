"""reconciliation (the tables are added by the work that owns them)

Revision ID: f1a0c2e4b604
Revises: f1a0c2e4b603
Create Date: 2026-11-23 06:10:00
"""

from __future__ import annotations

revision = "f1a0c2e4b604"
down_revision = "f1a0c2e4b603"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
