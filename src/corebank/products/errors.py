"""Product errors."""

from corebank.kernel.errors import BusinessRuleViolation, Conflict, InvalidRequest, NotFound


class ProductNotFound(NotFound):
    code = "PRODUCT_NOT_FOUND"
    title = "No such product"


class ProductNotAvailable(BusinessRuleViolation):
    code = "PRODUCT_NOT_AVAILABLE"
    title = "The product is not sold now"


class RateNotFound(BusinessRuleViolation):
    code = "RATE_NOT_FOUND"
    title = "No rate is posted for this product and term on that date"


class ProductExists(Conflict):
    code = "PRODUCT_EXISTS"
    title = "A product with this code exists already"


class InvalidProduct(InvalidRequest):
    code = "INVALID_PRODUCT"
    title = "The product's parameters are not valid"


class InvalidTerm(InvalidRequest):
    code = "INVALID_TERM"
    title = "The terms are not valid for this kind of product"


class ProductRetired(Conflict):
    code = "PRODUCT_RETIRED"
    title = "The product is retired: it serves its accounts but cannot change"


class ProductStatusConflict(Conflict):
    code = "PRODUCT_STATUS"
    title = "The product is not in the status this step needs"


class RatesMissing(BusinessRuleViolation):
    code = "RATES_MISSING"
    title = "Every term the product offers needs a rate before it can be sold"


class InvalidRate(InvalidRequest):
    code = "INVALID_RATE"
    title = "The rate is not valid"


class RateDateInPast(BusinessRuleViolation):
    code = "RATE_DATE_IN_PAST"
    title = "A rate change cannot take effect before the business date"


class TermNotOffered(BusinessRuleViolation):
    code = "TERM_NOT_OFFERED"
    title = "The product does not offer this term"


class DuplicateRate(Conflict):
    code = "DUPLICATE_RATE"
    title = "This term and tier already has a rate from that date"
