"""Staff users and their roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class StaffUser(Base):
    """A member of staff who logs in to the consoles and the API."""

    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code"))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | locked | disabled
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str] = mapped_column(String(8), default="zh_CN")
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]


class StaffRole(Base):
    """A role held by a user."""

    __tablename__ = "staff_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    role: Mapped[str] = mapped_column(String(32))
