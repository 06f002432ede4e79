"""Product errors."""

from corebank.kernel.errors import BusinessRuleViolation, NotFound


class ProductNotFound(NotFound):
    code = "PRODUCT_NOT_FOUND"
    title = "No such product"


class ProductNotAvailable(BusinessRuleViolation):
    code = "PRODUCT_NOT_AVAILABLE"
    title = "The product is not sold now"


class RateNotFound(BusinessRuleViolation):
    code = "RATE_NOT_FOUND"
    title = "No rate is posted for this product and term on that date"
