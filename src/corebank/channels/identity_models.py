"""E-banking identity (网银签约): one login per customer for internet and mobile banking."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
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


class EbankChallenge(Base):
    """A one-time code waiting to be proved: an online enrollment, a login's second factor, a transaction
    signature, or switching TOTP off. The code itself is never stored: only a keyed hash of it (SMS), or
    nothing when the customer's authenticator computes it (TOTP). A ticket (enrollment id, login ticket) is
    likewise kept only as a keyed hash."""

    __tablename__ = "ebank_challenges"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))  # enroll | login | sign | totp_off
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    login_id: Mapped[int | None] = mapped_column(ForeignKey("ebank_logins.id"))
    method: Mapped[str] = mapped_column(String(8))  # sms | totp
    ticket_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(32))
    # What the code is bound to: a transaction's customer, amount, currency and payee (dynamic linking).
    binding: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    device_id: Mapped[str] = mapped_column(String(64), default="")
    phone_masked: Mapped[str] = mapped_column(String(32), default="")
    # Encrypted: an enrollment's phone (the one the code went to, bound when the code is proved), or the new
    # secret of a TOTP setup waiting for its first code.
    payload_cipher: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(8), default="open")  # open | used | void
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class EbankTotpUse(Base):
    """A TOTP time step already accepted for a login: the same code cannot be replayed within its window."""

    __tablename__ = "ebank_totp_uses"
    __table_args__ = (UniqueConstraint("login_id", "step"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    login_id: Mapped[int] = mapped_column(ForeignKey("ebank_logins.id"))
    step: Mapped[int] = mapped_column(BigInteger)
    used_at: Mapped[datetime]


class EbankDevice(Base):
    """A mobile device bound to a login after a login from it passed the SMS factor."""

    __tablename__ = "ebank_devices"
    __table_args__ = (UniqueConstraint("login_id", "device_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    login_id: Mapped[int] = mapped_column(ForeignKey("ebank_logins.id"))
    device_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8), default="active")  # active | removed
    bound_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]


class EbankSession(Base):
    """A customer's session on an e-channel: it lives until `expires_at` (login plus the refresh hours) or
    until it is ended (logout, log out everywhere, a refresh token used twice, a counter action)."""

    __tablename__ = "ebank_sessions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    login_id: Mapped[int] = mapped_column(ForeignKey("ebank_logins.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    device_id: Mapped[str] = mapped_column(String(64), default="")
    strength: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    refreshed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))


class EbankRefreshToken(Base):
    """Every refresh token a session was given (a keyed hash only). Each is good once: using it gives the
    next; presenting one already used means it was copied, and ends the session."""

    __tablename__ = "ebank_refresh_tokens"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("ebank_sessions.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class SmsOutbox(Base):
    """Text messages as the development sender "sent" them (the demo user and the tests read codes here).
    The code column is filled only outside production."""

    __tablename__ = "sms_outbox"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(500))
    code: Mapped[str | None] = mapped_column(String(12))
    purpose: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
