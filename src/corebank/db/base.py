"""The declarative base every area's tables derive from, with stable constraint names for Alembic."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, Table
from sqlalchemy.orm import DeclarativeBase

# SQLite only auto-numbers a column declared exactly INTEGER PRIMARY KEY; PostgreSQL gets BIGSERIAL.
BigId = BigInteger().with_variant(Integer, "sqlite")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of all tables. Money columns are BIGINT minor units; timestamps are timezone-aware UTC."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {int: BigInteger, datetime: DateTime(timezone=True)}


def table_of(model: type[Base]) -> Table:
    """The Core table behind a mapped class, for hot-path statements that skip the ORM."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
