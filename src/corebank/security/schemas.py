"""Security schemas shared by REST and CLI."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9_.-]+$")
    roles: list[str] = Field(min_length=1)
    branch_code: str = Field(pattern=r"^\d{4}$")
    full_name: str = ""
    password: str | None = None


class UserRead(BaseModel):
    id: int
    username: str
    full_name: str
    roles: list[str]
    branch_code: str
    status: str
    created_at: datetime


class UserCreated(BaseModel):
    user: UserRead
    generated_password: str | None = None


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class AuditVerification(BaseModel):
    records: int
    ok: bool
    first_bad_seq: int | None = None
    detail: str = ""


class AuditRecordRead(BaseModel):
    seq: int
    at: datetime
    actor: str
    channel: str
    branch_code: str | None
    action: str
    object_type: str
    object_id: str
    detail: dict[str, object]
    hash: str


class AuditPage(BaseModel):
    items: list[AuditRecordRead]
    next_cursor: str | None = None
