"""The credit scorecard: the default card's totals worked by hand, band edges, bad cards and bad applicants refused."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corebank.loans import DEFAULT_SCORECARD, InvalidApplicant, InvalidScorecard, score, scorecard_from_dict
from corebank.loans.scoring import DEFAULT_SCORECARD_DEFINITION, Band

STRONG: dict[str, Decimal | str] = {
    "monthly_income": Decimal("30000"),
    "debt_to_income": Decimal("15"),
    "employment": "civil_servant",
    "years_with_bank": Decimal("12"),
    "collateral_cover": Decimal("160"),
}
WEAK: dict[str, Decimal | str] = {
    "monthly_income": Decimal("4000"),
    "debt_to_income": Decimal("60"),
    "employment": "self_employed",
    "years_with_bank": Decimal("0.5"),
    "collateral_cover": Decimal("0"),
}


def card_definition() -> dict[str, Any]:
    """A private copy of the default card's definition, to spoil in one place."""
    return copy.deepcopy(dict(DEFAULT_SCORECARD_DEFINITION))


def factor(definition: dict[str, Any], name: str) -> dict[str, Any]:
    """The named factor's definition inside a card definition."""
    return next(f for f in definition["factors"] if f["name"] == name)


def test_strong_applicant_scores_aaa() -> None:
    result = score(DEFAULT_SCORECARD, STRONG)
    # base 200 + income 30,000 in [20000, 50000) 80 + DTI 15 in (-∞, 20) 100 + civil_servant 80
    # + 12 years in [10, ∞) 60 + cover 160 in [150, ∞) 80 = 600 ≥ 580 → AAA, PD 0.03 %
    assert result.total == 600
    assert result.rating == "AAA"
    assert result.pd == Decimal("0.0003")
    assert result.base_points + sum(item.points for item in result.explanation) == result.total


def test_weak_applicant_scores_cc() -> None:
    result = score(DEFAULT_SCORECARD, WEAK)
    # base 200 + income 4,000 in [3000, 6000) 20 + DTI 60 in [50, 70) 15 + self_employed 30
    # + 0.5 years in (-∞, 1) 0 + cover 0 in (-∞, 50) 0 = 265; 250 ≤ 265 < 300 → CC, PD 20 %
    assert result.total == 265
    assert result.rating == "CC"
    assert result.pd == Decimal("0.2000")


def test_score_explained_factor_by_factor() -> None:
    result = score(DEFAULT_SCORECARD, WEAK)
    explained = [(item.factor, item.value, item.band, item.points) for item in result.explanation]
    assert explained == [
        ("monthly_income", Decimal("4000"), "[3000, 6000)", 20),
        ("debt_to_income", Decimal("60"), "[50, 70)", 15),
        ("employment", "self_employed", "self_employed", 30),
        ("years_with_bank", Decimal("0.5"), "(-∞, 1)", 0),
        ("collateral_cover", Decimal("0"), "(-∞, 50)", 0),
    ]
    assert (result.scorecard_code, result.scorecard_version) == ("RETAIL_DEFAULT", 1)


def test_band_low_edge_inclusive_high_edge_exclusive() -> None:
    def income_points(amount: str) -> int:
        result = score(DEFAULT_SCORECARD, {**STRONG, "monthly_income": Decimal(amount)})
        return result.explanation[0].points

    assert income_points("5999.99") == 20  # [3000, 6000)
    assert income_points("6000") == 40  # 6,000 opens [6000, 10000)
    assert income_points("6000.00") == 40  # the same number, whatever its scale
    assert income_points("50000") == 100  # [50000, ∞)
    dti = score(DEFAULT_SCORECARD, {**STRONG, "debt_to_income": Decimal("20")}).explanation[1]
    assert (dti.band, dti.points) == ("[20, 35)", 75)


def test_rating_boundary_is_inclusive() -> None:
    # STRONG is 600; 160 % cover → 100 % cover drops 80 to 60 points: 580, exactly AAA's floor.
    assert score(DEFAULT_SCORECARD, {**STRONG, "collateral_cover": Decimal("100")}).rating == "AAA"
    # 99.99 % cover earns 30: 550 → AA.
    assert score(DEFAULT_SCORECARD, {**STRONG, "collateral_cover": Decimal("99.99")}).rating == "AA"


def test_applicant_refused_when_a_factor_is_missing() -> None:
    applicant = {k: v for k, v in STRONG.items() if k != "years_with_bank"}
    with pytest.raises(InvalidApplicant, match="years_with_bank") as refused:
        score(DEFAULT_SCORECARD, applicant)
    assert refused.value.code == "INVALID_APPLICANT"
    assert refused.value.extra["factor"] == "years_with_bank"


def test_applicant_refused_when_employment_is_not_on_the_card() -> None:
    with pytest.raises(InvalidApplicant, match="employment"):
        score(DEFAULT_SCORECARD, {**STRONG, "employment": "astronaut"})


def test_applicant_refused_when_a_number_is_not_a_number() -> None:
    with pytest.raises(InvalidApplicant, match="monthly_income"):
        score(DEFAULT_SCORECARD, {**STRONG, "monthly_income": "a lot"})


def test_card_refused_with_a_gap_between_bands() -> None:
    definition = card_definition()
    factor(definition, "monthly_income")["bands"][1]["high"] = "5000"  # [3000, 5000) then [6000, 10000)
    with pytest.raises(InvalidScorecard, match="gap") as refused:
        scorecard_from_dict(definition)
    assert refused.value.code == "INVALID_SCORECARD"


def test_card_refused_when_values_below_the_first_band_are_uncovered() -> None:
    definition = card_definition()
    factor(definition, "years_with_bank")["bands"][0]["low"] = "0"
    with pytest.raises(InvalidScorecard, match="gap"):
        scorecard_from_dict(definition)


def test_card_refused_with_overlapping_bands() -> None:
    definition = card_definition()
    factor(definition, "debt_to_income")["bands"][1]["high"] = "40"  # [20, 40) overlaps [35, 50)
    with pytest.raises(InvalidScorecard, match="overlap"):
        scorecard_from_dict(definition)


def test_card_refused_with_two_unbounded_top_bands() -> None:
    definition = card_definition()
    factor(definition, "collateral_cover")["bands"][2]["high"] = None  # [100, ∞) overlaps [150, ∞)
    with pytest.raises(InvalidScorecard, match="overlap"):
        scorecard_from_dict(definition)


def test_card_refused_with_a_duplicate_categorical_value() -> None:
    definition = card_definition()
    factor(definition, "employment")["bands"].append({"value": "retired", "points": 10})
    with pytest.raises(InvalidScorecard, match="retired"):
        scorecard_from_dict(definition)


def test_card_refused_when_ratings_are_not_by_descending_score() -> None:
    definition = card_definition()
    definition["ratings"][1]["min_score"] = 590  # AA from 590 after AAA from 580
    with pytest.raises(InvalidScorecard, match="descending"):
        scorecard_from_dict(definition)


def test_card_refused_when_ratings_do_not_worsen() -> None:
    definition = card_definition()
    definition["ratings"][0]["rating"], definition["ratings"][1]["rating"] = "AA", "AAA"
    with pytest.raises(InvalidScorecard, match="worsen"):
        scorecard_from_dict(definition)


def test_card_refused_when_pd_does_not_increase() -> None:
    definition = card_definition()
    definition["ratings"][3]["pd"] = definition["ratings"][2]["pd"]  # BBB as likely to default as A
    with pytest.raises(InvalidScorecard, match="pd must rise"):
        scorecard_from_dict(definition)


def test_card_refused_when_the_lowest_score_has_no_rating() -> None:
    definition = card_definition()
    definition["ratings"][-1]["min_score"] = 210  # the worst applicant scores 200
    with pytest.raises(InvalidScorecard, match="200"):
        scorecard_from_dict(definition)


def test_card_refuses_floats() -> None:
    definition = card_definition()
    definition["ratings"][0]["pd"] = 0.0003
    with pytest.raises(InvalidScorecard, match="float"):
        scorecard_from_dict(definition)


def test_band_text_shows_half_open_ranges() -> None:
    assert Band(low=Decimal("6000"), high=Decimal("10000"), points=40).describe() == "[6000, 10000)"
    assert Band(low=None, high=Decimal("3000"), points=0).describe() == "(-∞, 3000)"
    assert Band(low=Decimal("50000"), high=None, points=100).describe() == "[50000, ∞)"


amounts = st.decimals(min_value=0, max_value=200_000, places=2, allow_nan=False, allow_infinity=False)
percents = st.decimals(min_value=0, max_value=400, places=2, allow_nan=False, allow_infinity=False)
raises = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
applicants = st.fixed_dictionaries(
    {
        "monthly_income": amounts,
        "debt_to_income": percents,
        "employment": st.sampled_from(
            [
                "civil_servant",
                "state_enterprise",
                "private_enterprise",
                "self_employed",
                "unemployed",
                "retired",
            ]
        ),
        "years_with_bank": st.decimals(
            min_value=0, max_value=60, places=1, allow_nan=False, allow_infinity=False
        ),
        "collateral_cover": percents,
    }
)


@settings(max_examples=300, deadline=None)
@given(applicant=applicants, more=raises)
def test_more_income_or_collateral_never_lowers_the_score(applicant: dict[str, Any], more: Decimal) -> None:
    before = score(DEFAULT_SCORECARD, applicant).total
    for name in ("monthly_income", "collateral_cover"):
        after = score(DEFAULT_SCORECARD, {**applicant, name: applicant[name] + more}).total
        assert after >= before, name


@settings(max_examples=300, deadline=None)
@given(applicant=applicants, more=raises)
def test_more_debt_to_income_never_raises_the_score(applicant: dict[str, Any], more: Decimal) -> None:
    before = score(DEFAULT_SCORECARD, applicant)
    after = score(DEFAULT_SCORECARD, {**applicant, "debt_to_income": applicant["debt_to_income"] + more})
    assert after.total <= before.total
    assert after.pd >= before.pd
