"""Hot-path statements run straight on the DB-API cursor of the unit of work's connection.

A transfer makes about ten statements; through SQLAlchemy each costs some 130 µs of Python before the
database sees it (compiling, parameter processing, result set-up), which measured as most of a transfer's
CPU. These few statements are written once in plain SQL with `:name` parameters, and run with the driver's
own parameter style. Values are written exactly as SQLAlchemy's column types write them, so the ORM and
Core read them back unchanged: on SQLite dates as ISO text, timestamps as naive UTC text with microseconds
and JSON as `json.dumps` text; on PostgreSQL the driver's own types, with JSON cast by `::json`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the unit of work itself runs its bookkeeping through this module
    from corebank.db.uow import UnitOfWork

_PARAM = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")
_JSON_CAST = "::json"


def to_json(value: Any) -> str:
    """JSON text as SQLAlchemy's JSON type writes it."""
    return json.dumps(value, default=str)


class FastSQL:
    """One SQL statement with `:name` parameters (`:name::json` marks a JSON value), rendered per back end."""

    def __init__(self, sql: str) -> None:
        self.sql = " ".join(sql.split())
        self._rendered: dict[str, str] = {}

    def _render(self, dialect: str) -> str:
        text = self._rendered.get(dialect)
        if text is None:
            if dialect == "sqlite":
                # SQLite has no JSON type to cast to, and locks the whole database for a write transaction.
                text = self.sql.replace(_JSON_CAST, "").replace(" FOR UPDATE", "")
            elif dialect == "postgresql":
                text = _PARAM.sub(r"%(\1)s", self.sql.replace("%", "%%"))
            else:  # pragma: no cover - the back ends CoreBank supports are the two above
                raise NotImplementedError(dialect)
            self._rendered[dialect] = text
        return text

    def execute(self, uow: UnitOfWork, params: Mapping[str, Any]) -> Any:
        """Run with one set of parameters; return the DB-API cursor (fetch RETURNING rows from it)."""
        dialect = uow.conn.dialect.name
        cur = uow.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cur.execute(self._render(dialect), _adapt(dialect, params))
        return cur

    def executemany(self, uow: UnitOfWork, rows: Iterable[Mapping[str, Any]]) -> None:
        """Run once per parameter set, in one driver call."""
        dialect = uow.conn.dialect.name
        cur = uow.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cur.executemany(self._render(dialect), [_adapt(dialect, r) for r in rows])
        cur.close()

    def executemany_plain(self, uow: UnitOfWork, rows: Sequence[Mapping[str, Any]]) -> None:
        """`executemany` for rows already in the driver's own types (no datetimes or booleans; dates through
        `driver_date`), handed over as they are: for the bulk paths, where adapting row by row costs more than
        the insert."""
        cur = uow.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cur.executemany(self._render(uow.conn.dialect.name), rows)
        cur.close()


def driver_date(uow: UnitOfWork, d: date) -> Any:
    """A date as the driver takes it in `executemany_plain` (SQLite stores dates as ISO text)."""
    return d.isoformat() if uow.conn.dialect.name == "sqlite" else d


def _adapt(dialect: str, params: Mapping[str, Any]) -> Mapping[str, Any]:
    if dialect != "sqlite":
        return params
    out = dict(params)
    for k, v in out.items():
        if isinstance(v, datetime):
            # SQLAlchemy's SQLite DateTime: naive UTC text with microseconds.
            if v.tzinfo is not None:
                v = v.astimezone(UTC).replace(tzinfo=None)
            out[k] = v.strftime("%Y-%m-%d %H:%M:%S.%f")
        elif isinstance(v, date):
            out[k] = v.isoformat()
        elif isinstance(v, bool):
            out[k] = int(v)
    return out
