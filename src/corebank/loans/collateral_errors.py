"""Collateral and guarantor errors, each with a stable code. APPLICATION_NOT_FOUND and APPLICATION_CLOSED are the
loan applications' own (`corebank.loans.errors`)."""

from corebank.kernel.errors import Conflict, InvalidRequest, NotFound


class InvalidCollateral(InvalidRequest):
    code = "INVALID_COLLATERAL"
    title = "The collateral or its valuation is not valid"


class CollateralNotFound(NotFound):
    code = "COLLATERAL_NOT_FOUND"
    title = "No collateral has this number"


class CollateralOverpledged(Conflict):
    code = "COLLATERAL_OVERPLEDGED"
    title = "The pledges on this collateral would exceed its value"


class CollateralReleased(Conflict):
    code = "COLLATERAL_RELEASED"
    title = "The collateral has been released and secures nothing any more"


class CollateralInUse(Conflict):
    code = "COLLATERAL_IN_USE"
    title = "The collateral secures a contracted or active loan"


class InvalidGuarantor(InvalidRequest):
    code = "INVALID_GUARANTOR"
    title = "The guarantor or the guarantee is not valid"


class LtvExceeded(Conflict):
    code = "LTV_EXCEEDED"
    title = "The loan exceeds the lendable value of its collateral (loan-to-value cap)"
