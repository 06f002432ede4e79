"""E-banking identity (网银签约): one login per customer for internet and mobile banking."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class EbankLogin(Base):
    """A customer's e-banking enrollment: login name, password, bound phone and second factor."""

    __tablename__ = "ebank_logins"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), unique=True)
    login_name: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    phone_cipher: Mapped[str] = mapped_column(String(200))
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str] = mapped_column(String(32))
    second_factor: Mapped[str] = mapped_column(String(8), default="sms")  # sms | totp
    totp_cipher: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | suspended | locked | closed
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    enrolled_via: Mapped[str] = mapped_column(String(16))  # counter | online
    enrolled_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]
