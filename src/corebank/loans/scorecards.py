"""Stored scorecards: a credit team publishes a new version of a card; applications are scored with the
active version of their product's card (the built-in RETAIL_DEFAULT until a bank stores its own)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from corebank.db.uow import UnitOfWork
from corebank.loans.errors import InvalidScorecard
from corebank.loans.models import Scorecard as ScorecardRow
from corebank.loans.scoring import (
    DEFAULT_SCORECARD,
    DEFAULT_SCORECARD_DEFINITION,
    Scorecard,
    scorecard_from_dict,
    validate_scorecard,
)
from corebank.security import Actor, P


def active_card(uow: UnitOfWork, code: str) -> Scorecard:
    """The active version of scorecard `code`."""
    row = uow.session.execute(
        select(ScorecardRow.definition).where(ScorecardRow.code == code, ScorecardRow.status == "active")
    ).scalar()
    if row is not None:
        return scorecard_from_dict(row)
    if code == DEFAULT_SCORECARD.code:
        return DEFAULT_SCORECARD
    raise InvalidScorecard(f"there is no scorecard {code!r}")


def publish_scorecard(uow: UnitOfWork, actor: Actor, definition: dict[str, Any]) -> dict[str, Any]:
    """Store a new version of a scorecard (checked by every rule of a valid card) and make it the active one;
    the previous version is kept, superseded, so older scores stay explainable."""
    actor.require(P.PRODUCT_WRITE)
    card = scorecard_from_dict(definition)
    validate_scorecard(card)
    latest = uow.session.execute(
        select(func.max(ScorecardRow.version)).where(ScorecardRow.code == card.code)
    ).scalar()
    floor = latest if latest is not None else (1 if card.code == DEFAULT_SCORECARD.code else 0)
    if card.version <= floor:
        raise InvalidScorecard(f"version: {card.code} needs a version above {floor}, got {card.version}")
    uow.session.execute(
        update(ScorecardRow)
        .where(ScorecardRow.code == card.code, ScorecardRow.status == "active")
        .values(status="superseded")
    )
    uow.session.add(
        ScorecardRow(
            code=card.code,
            version=card.version,
            status="active",
            definition=dict(definition),
            created_by=actor.username,
            created_at=uow.now,
        )
    )
    uow.session.flush()
    uow.audit(actor, "scorecard.publish", "scorecard", card.code, version=card.version)
    return {"code": card.code, "version": card.version, "status": "active"}


def get_scorecard(uow: UnitOfWork, actor: Actor, code: str) -> dict[str, Any]:
    """The active definition of a scorecard."""
    actor.require(P.LOAN_READ)
    row = uow.session.execute(
        select(ScorecardRow.definition).where(ScorecardRow.code == code, ScorecardRow.status == "active")
    ).scalar()
    if row is None:
        if code != DEFAULT_SCORECARD.code:
            raise InvalidScorecard(f"there is no scorecard {code!r}")
        return dict(DEFAULT_SCORECARD_DEFINITION)
    return dict(row)
