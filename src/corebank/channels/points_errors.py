"""Points (积分) errors, with their stable codes."""

from __future__ import annotations

from corebank.kernel.errors import BusinessRuleViolation, InvalidRequest


class PointsInsufficient(BusinessRuleViolation):
    """`extra` carries `available`: the points the customer holds now."""

    code = "POINTS_INSUFFICIENT"
    title = "Not enough points"


class PointsInvalid(InvalidRequest):
    code = "POINTS_INVALID"
    title = "The number of points is not valid"


class PointsRuleInvalid(InvalidRequest):
    code = "POINTS_RULE_INVALID"
    title = "The points rule is not valid"
