"""Customer errors."""

from corebank.kernel.errors import BusinessRuleViolation, Conflict, InvalidRequest, NotFound


class InvalidIdNumber(InvalidRequest):
    code = "INVALID_ID_NUMBER"
    title = "The ID number is not valid"


class InvalidPhone(InvalidRequest):
    code = "INVALID_PHONE"
    title = "The phone number is not valid"


class CustomerExists(Conflict):
    code = "CUSTOMER_EXISTS"
    title = "A customer with this ID document exists already"


class CustomerNotFound(NotFound):
    code = "CUSTOMER_NOT_FOUND"
    title = "No such customer"


class CustomerNotActive(BusinessRuleViolation):
    code = "CUSTOMER_NOT_ACTIVE"
    title = "The customer is not active"
