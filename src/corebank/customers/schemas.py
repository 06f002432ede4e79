"""Customer schemas shared by REST, web and CLI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class CustomerCreate(BaseModel):
    type: Literal["individual", "corporate"]
    name: str = Field(min_length=1, max_length=120)
    id_type: str = Field(examples=["resident_id"])
    id_number: str = Field(min_length=5, max_length=32)
    phone: str | None = Field(default=None, max_length=24)
    address: str = Field(default="", max_length=200)
    occupation: str = Field(default="", max_length=60)
    legal_representative: str = Field(default="", max_length=60)
    birth_date: date | None = None
    risk_level: Literal["low", "medium", "high"] = "low"


class CustomerUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    phone: str | None = Field(default=None, max_length=24)
    address: str | None = Field(default=None, max_length=200)
    occupation: str | None = Field(default=None, max_length=60)
    legal_representative: str | None = Field(default=None, max_length=60)
    risk_level: Literal["low", "medium", "high"] | None = None
    status: Literal["active", "blocked", "deceased"] | None = None


class CustomerRead(BaseModel):
    number: str
    type: str
    name: str
    id_type: str
    id_number_masked: str
    phone_masked: str | None
    birth_date: date | None
    gender: str | None
    address: str
    occupation: str
    legal_representative: str
    risk_level: str
    status: str
    home_branch: str
    version: int
    created_at: datetime
    updated_at: datetime


class CustomerChangeRead(BaseModel):
    version: int
    changed_by: str
    changed_at: datetime
    changes: dict[str, list[str | None]]


class CustomerRef(BaseModel):
    """What the accounts area needs to know of a customer."""

    id: int
    number: str
    type: str
    name: str
    status: str
    home_branch: str
