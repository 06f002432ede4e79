"""Credit scoring (信用评分): a points scorecard kept as data and evaluated by pure functions.

A scorecard lists factors (monthly income, debt-to-income, employment, years with the bank, collateral cover);
each factor's bands award points, the points add up to a score, and the score's band gives a rating (AAA … C) and
a probability of default (PD) used for pricing and limits (DOMAIN.md, "Loans"). Numbers are Decimal, never float:
a band edge such as 6,000.00 must compare exactly. Numeric bands are half-open, [low, high), so an edge value
belongs to the band it opens. A card is validated once, when it is read, so scoring never meets a gap in it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any, Literal, get_args

from corebank.loans.errors import InvalidApplicant, InvalidScorecard

FactorKind = Literal["numeric", "categorical"]
FACTOR_KINDS: tuple[str, ...] = get_args(FactorKind)
# Ratings from best to worst; a card uses any of them, in this order, each at most once.
RATING_SCALE: tuple[str, ...] = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C")


@dataclass(frozen=True, slots=True)
class Band:
    """One band of a factor: numeric [low, high) with None unbounded, or a categorical `value`; its points."""

    low: Decimal | None = None
    high: Decimal | None = None
    points: int = 0
    value: str | None = None

    def describe(self) -> str:
        """The band as text for the explanation: "[6000, 10000)", "(-∞, 3000)", "[50000, ∞)" or the value."""
        if self.value is not None:
            return self.value
        low = "(-∞" if self.low is None else f"[{self.low}"
        high = "∞)" if self.high is None else f"{self.high})"
        return f"{low}, {high}"

    def contains(self, amount: Decimal) -> bool:
        """Whether a numeric input falls in this band (low inclusive, high exclusive)."""
        return (self.low is None or amount >= self.low) and (self.high is None or amount < self.high)


@dataclass(frozen=True, slots=True)
class Factor:
    """One scored characteristic of the applicant, with the bands that award its points."""

    name: str
    kind: FactorKind
    bands: tuple[Band, ...]
    description: str = ""


@dataclass(frozen=True, slots=True)
class RatingBand:
    """Scores from `min_score` up (to the next better band) earn `rating`, with probability of default `pd`.

    `pd` is a fraction from 0 to 1 ("0.0150" is 1.5 %).
    """

    min_score: int
    rating: str
    pd: Decimal


@dataclass(frozen=True, slots=True)
class Scorecard:
    """A versioned scorecard: factors with their bands, and rating bands ordered from the best rating down."""

    code: str
    version: int
    factors: tuple[Factor, ...]
    ratings: tuple[RatingBand, ...]
    base_points: int = 0


@dataclass(frozen=True, slots=True)
class FactorScore:
    """How one factor scored: the input value, the band it matched (as text) and the points awarded."""

    factor: str
    value: Decimal | str
    band: str
    points: int


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """A score: total = base_points + the sum of the explanation's points; its rating and PD; the card used."""

    total: int
    rating: str
    pd: Decimal
    explanation: tuple[FactorScore, ...]
    base_points: int
    scorecard_code: str
    scorecard_version: int


# ---------------------------------------------------------------------------------------------------------------
# Reading a card from data


def _refuse(detail: str) -> InvalidScorecard:
    return InvalidScorecard(detail)


def _mapping(data: Any, where: str, allowed: set[str], required: set[str]) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise _refuse(f"{where} must be an object")
    unknown = set(data) - allowed
    if unknown:
        raise _refuse(f"{where} has unknown keys: {', '.join(sorted(map(str, unknown)))}")
    missing = required - set(data)
    if missing:
        raise _refuse(f"{where} is missing: {', '.join(sorted(missing))}")
    return data


def _sequence(data: Any, where: str) -> Sequence[Any]:
    if isinstance(data, str | bytes) or not isinstance(data, Sequence) or not data:
        raise _refuse(f"{where} must be a non-empty list")
    return data


def _integer(data: Any, where: str) -> int:
    # bool is an int in Python; a `true` in a card is a typo, not a point.
    if isinstance(data, bool) or not isinstance(data, int):
        raise _refuse(f"{where} must be a whole number")
    return data


def _text(data: Any, where: str) -> str:
    if not isinstance(data, str) or not data.strip():
        raise _refuse(f"{where} must be non-empty text")
    return data


def _decimal(data: Any, where: str) -> Decimal:
    # Floats are refused: 0.1 as a float is not 0.1, and a band edge must compare exactly.
    if isinstance(data, bool) or not isinstance(data, str | int | Decimal):
        raise _refuse(f"{where} must be a decimal string, an integer or a Decimal, not {type(data).__name__}")
    try:
        amount = Decimal(data)
    except InvalidOperation:
        raise _refuse(f"{where} is not a number: {data!r}") from None
    if not amount.is_finite():
        raise _refuse(f"{where} must be finite")
    return amount


def _optional_decimal(data: Any, where: str) -> Decimal | None:
    return None if data is None else _decimal(data, where)


def _band_from_dict(data: Any, kind: str, where: str) -> Band:
    if kind == "categorical":
        band = _mapping(data, where, {"value", "points"}, {"value", "points"})
        return Band(
            points=_integer(band["points"], f"{where}.points"), value=_text(band["value"], f"{where}.value")
        )
    band = _mapping(data, where, {"low", "high", "points"}, {"points"})
    return Band(
        low=_optional_decimal(band.get("low"), f"{where}.low"),
        high=_optional_decimal(band.get("high"), f"{where}.high"),
        points=_integer(band["points"], f"{where}.points"),
    )


def _factor_from_dict(data: Any, where: str) -> Factor:
    factor = _mapping(data, where, {"name", "kind", "bands", "description"}, {"name", "kind", "bands"})
    name = _text(factor["name"], f"{where}.name")
    kind = factor["kind"]
    if kind not in FACTOR_KINDS:
        raise _refuse(f"factor {name}: kind must be one of {', '.join(FACTOR_KINDS)}")
    description = factor.get("description", "")
    if not isinstance(description, str):
        raise _refuse(f"factor {name}: description must be text")
    bands = tuple(
        _band_from_dict(band, kind, f"factor {name} band {i}")
        for i, band in enumerate(_sequence(factor["bands"], f"factor {name} bands"))
    )
    return Factor(name=name, kind=kind, bands=bands, description=description)


def _rating_from_dict(data: Any, where: str) -> RatingBand:
    rating = _mapping(data, where, {"min_score", "rating", "pd"}, {"min_score", "rating", "pd"})
    return RatingBand(
        min_score=_integer(rating["min_score"], f"{where}.min_score"),
        rating=_text(rating["rating"], f"{where}.rating"),
        pd=_decimal(rating["pd"], f"{where}.pd"),
    )


def scorecard_from_dict(data: Mapping[str, Any]) -> Scorecard:
    """Read and validate a scorecard definition; any problem raises InvalidScorecard (INVALID_SCORECARD)."""
    card = _mapping(
        data,
        "scorecard",
        {"code", "version", "factors", "ratings", "base_points"},
        {"code", "version", "factors", "ratings"},
    )
    scorecard = Scorecard(
        code=_text(card["code"], "scorecard.code"),
        version=_integer(card["version"], "scorecard.version"),
        factors=tuple(
            _factor_from_dict(factor, f"factor {i}")
            for i, factor in enumerate(_sequence(card["factors"], "factors"))
        ),
        ratings=tuple(
            _rating_from_dict(rating, f"rating {i}")
            for i, rating in enumerate(_sequence(card["ratings"], "ratings"))
        ),
        base_points=_integer(card.get("base_points", 0), "scorecard.base_points"),
    )
    validate_scorecard(scorecard)
    return scorecard


# ---------------------------------------------------------------------------------------------------------------
# Validation: small named checks run in order; the first problem found is reported.


def _check_version(card: Scorecard) -> None:
    if card.version < 1:
        raise _refuse(f"scorecard {card.code}: version must be 1 or more")


def _check_factor_names_unique(card: Scorecard) -> None:
    if not card.factors:
        raise _refuse(f"scorecard {card.code}: it has no factors")
    names = [factor.name for factor in card.factors]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise _refuse(f"scorecard {card.code}: factor names repeat: {', '.join(duplicates)}")


def _check_numeric_bands_partition(card: Scorecard) -> None:
    """Each numeric factor's bands, sorted by their low edge, chain edge to edge from -∞ to +∞."""
    for factor in card.factors:
        if factor.kind != "numeric":
            continue
        if not factor.bands:
            raise _refuse(f"factor {factor.name}: it has no bands")
        for band in factor.bands:
            if band.value is not None:
                raise _refuse(f"factor {factor.name}: a numeric band has a categorical value {band.value!r}")
            if band.low is not None and band.high is not None and band.low >= band.high:
                raise _refuse(
                    f"factor {factor.name}: band {band.describe()} is empty (low must be below high)"
                )
        ordered = sorted(factor.bands, key=lambda b: (b.low is not None, b.low or Decimal(0)))
        if ordered[0].low is not None:
            raise _refuse(f"factor {factor.name}: gap, values below {ordered[0].low} fall in no band")
        if ordered[-1].high is not None:
            raise _refuse(f"factor {factor.name}: gap, values from {ordered[-1].high} up fall in no band")
        for below, above in pairwise(ordered):
            if below.high is None or above.low is None or below.high > above.low:
                raise _refuse(
                    f"factor {factor.name}: bands {below.describe()} and {above.describe()} overlap"
                )
            if below.high < above.low:
                raise _refuse(
                    f"factor {factor.name}: gap, values in [{below.high}, {above.low}) fall in no band"
                )


def _check_categorical_bands_unique(card: Scorecard) -> None:
    for factor in card.factors:
        if factor.kind != "categorical":
            continue
        if not factor.bands:
            raise _refuse(f"factor {factor.name}: it has no values")
        values: list[str] = []
        for band in factor.bands:
            if band.value is None or band.low is not None or band.high is not None:
                raise _refuse(f"factor {factor.name}: a categorical band needs a value and no low or high")
            if band.value in values:
                raise _refuse(f"factor {factor.name}: value {band.value!r} appears more than once")
            values.append(band.value)


def _check_ratings_ordered(card: Scorecard) -> None:
    """Ratings run from the highest min_score down, each rating worse than the one before it."""
    if not card.ratings:
        raise _refuse(f"scorecard {card.code}: it has no ratings")
    for band in card.ratings:
        if band.rating not in RATING_SCALE:
            raise _refuse(f"rating {band.rating!r} is not one of {', '.join(RATING_SCALE)}")
    for better, worse in pairwise(card.ratings):
        if worse.min_score >= better.min_score:
            raise _refuse(
                f"ratings must run by descending min_score: {worse.rating} ({worse.min_score}) "
                f"after {better.rating} ({better.min_score})"
            )
        if RATING_SCALE.index(worse.rating) <= RATING_SCALE.index(better.rating):
            raise _refuse(f"ratings must worsen as min_score falls: {worse.rating} after {better.rating}")


def _check_pd_increasing(card: Scorecard) -> None:
    """A worse rating must carry a strictly higher probability of default, within [0, 1]."""
    for band in card.ratings:
        if not Decimal(0) <= band.pd <= Decimal(1):
            raise _refuse(f"rating {band.rating}: pd {band.pd} must be a fraction from 0 to 1")
    for better, worse in pairwise(card.ratings):
        if worse.pd <= better.pd:
            raise _refuse(
                f"pd must rise as the rating worsens: {worse.rating} {worse.pd} "
                f"is not above {better.rating} {better.pd}"
            )


def _check_lowest_score_rated(card: Scorecard) -> None:
    """The worst rating band must start at or below the lowest score the factors can produce."""
    lowest = card.base_points + sum(min(band.points for band in factor.bands) for factor in card.factors)
    if card.ratings[-1].min_score > lowest:
        raise _refuse(
            f"scorecard {card.code}: a score of {lowest} is possible but the lowest rating starts at "
            f"{card.ratings[-1].min_score}"
        )


VALIDATIONS: tuple[Callable[[Scorecard], None], ...] = (
    _check_version,
    _check_factor_names_unique,
    _check_numeric_bands_partition,
    _check_categorical_bands_unique,
    _check_ratings_ordered,
    _check_pd_increasing,
    _check_lowest_score_rated,
)


def validate_scorecard(card: Scorecard) -> None:
    """Run every scorecard check in order; the first problem raises InvalidScorecard."""
    for check in VALIDATIONS:
        check(card)


# ---------------------------------------------------------------------------------------------------------------
# Scoring


def _numeric_input(factor: Factor, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidApplicant(
            f"{factor.name} must be a decimal number, not {type(value).__name__}", factor=factor.name
        )
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise InvalidApplicant(f"{factor.name} is not a number: {value!r}", factor=factor.name) from None
    if not amount.is_finite():
        raise InvalidApplicant(f"{factor.name} must be finite", factor=factor.name)
    return amount


def _score_factor(factor: Factor, value: Any) -> FactorScore:
    if factor.kind == "categorical":
        for band in factor.bands:
            if band.value is not None and value == band.value:
                return FactorScore(
                    factor=factor.name, value=band.value, band=band.describe(), points=band.points
                )
        allowed = ", ".join(band.value for band in factor.bands if band.value is not None)
        raise InvalidApplicant(f"{factor.name} {value!r} is not one of {allowed}", factor=factor.name)
    amount = _numeric_input(factor, value)
    for band in factor.bands:
        if band.contains(amount):
            return FactorScore(factor=factor.name, value=amount, band=band.describe(), points=band.points)
    # A validated card covers every number; reaching here means the card skipped validation.
    raise InvalidScorecard(f"factor {factor.name}: no band holds {amount}", factor=factor.name)


def score(card: Scorecard, applicant: Mapping[str, Decimal | str]) -> ScoreResult:
    """Score an applicant: base points plus each factor's band points, then the rating and PD for the total.

    Inputs are the card's factor names mapped to Decimals (numeric) or text (categorical); other keys are ignored.
    A missing factor or an unknown categorical value raises InvalidApplicant (INVALID_APPLICANT) naming the factor.
    """
    explanation: list[FactorScore] = []
    for factor in card.factors:
        if factor.name not in applicant or applicant[factor.name] is None:
            raise InvalidApplicant(f"{factor.name} is missing from the application", factor=factor.name)
        explanation.append(_score_factor(factor, applicant[factor.name]))
    total = card.base_points + sum(item.points for item in explanation)
    for band in card.ratings:
        if total >= band.min_score:
            return ScoreResult(
                total=total,
                rating=band.rating,
                pd=band.pd,
                explanation=tuple(explanation),
                base_points=card.base_points,
                scorecard_code=card.code,
                scorecard_version=card.version,
            )
    raise InvalidScorecard(f"scorecard {card.code}: no rating for a score of {total}")


# ---------------------------------------------------------------------------------------------------------------
# The default card.
#
# Points, bands and PDs below are defaults a bank configures (its credit risk team calibrates them on its own
# default history); they are chosen to be sensible and monotone: more income, a lower debt-to-income ratio, a
# longer history with the bank and more collateral cover never score less. The total runs from 200 (every
# factor at its worst band) to 620 (every factor at its best). PD is a fraction: "0.0150" is 1.5 %.

DEFAULT_SCORECARD_DEFINITION: Mapping[str, Any] = {
    "code": "RETAIL_DEFAULT",
    "version": 1,
    "base_points": 200,
    "factors": [
        {
            "name": "monthly_income",
            "kind": "numeric",
            "description": "Monthly income, CNY",
            "bands": [
                {"low": None, "high": "3000", "points": 0},
                {"low": "3000", "high": "6000", "points": 20},
                {"low": "6000", "high": "10000", "points": 40},
                {"low": "10000", "high": "20000", "points": 60},
                {"low": "20000", "high": "50000", "points": 80},
                {"low": "50000", "high": None, "points": 100},
            ],
        },
        {
            "name": "debt_to_income",
            "kind": "numeric",
            "description": "Monthly debt service, this loan included, as a percent of monthly income",
            "bands": [
                {"low": None, "high": "20", "points": 100},
                {"low": "20", "high": "35", "points": 75},
                {"low": "35", "high": "50", "points": 45},
                {"low": "50", "high": "70", "points": 15},
                {"low": "70", "high": None, "points": 0},
            ],
        },
        {
            "name": "employment",
            "kind": "categorical",
            "description": "Employment of the applicant",
            "bands": [
                {"value": "civil_servant", "points": 80},  # 公务员
                {"value": "state_enterprise", "points": 70},  # 国有企业
                {"value": "private_enterprise", "points": 50},  # 民营企业
                {"value": "retired", "points": 40},  # 退休 (a pension is steady but small)
                {"value": "self_employed", "points": 30},  # 个体工商户
                {"value": "unemployed", "points": 0},
            ],
        },
        {
            "name": "years_with_bank",
            "kind": "numeric",
            "description": "Years since the customer's first account or loan with the bank",
            "bands": [
                {"low": None, "high": "1", "points": 0},
                {"low": "1", "high": "3", "points": 20},
                {"low": "3", "high": "5", "points": 35},
                {"low": "5", "high": "10", "points": 50},
                {"low": "10", "high": None, "points": 60},
            ],
        },
        {
            "name": "collateral_cover",
            "kind": "numeric",
            "description": "Collateral value as a percent of the loan amount (0 for an unsecured loan)",
            "bands": [
                {"low": None, "high": "50", "points": 0},
                {"low": "50", "high": "100", "points": 30},
                {"low": "100", "high": "150", "points": 60},
                {"low": "150", "high": None, "points": 80},
            ],
        },
    ],
    "ratings": [
        {"min_score": 580, "rating": "AAA", "pd": "0.0003"},
        {"min_score": 540, "rating": "AA", "pd": "0.0007"},
        {"min_score": 500, "rating": "A", "pd": "0.0015"},
        {"min_score": 450, "rating": "BBB", "pd": "0.0040"},
        {"min_score": 400, "rating": "BB", "pd": "0.0120"},
        {"min_score": 350, "rating": "B", "pd": "0.0350"},
        {"min_score": 300, "rating": "CCC", "pd": "0.1000"},
        {"min_score": 250, "rating": "CC", "pd": "0.2000"},
        {"min_score": 0, "rating": "C", "pd": "0.4000"},
    ],
}

DEFAULT_SCORECARD: Scorecard = scorecard_from_dict(DEFAULT_SCORECARD_DEFINITION)
