"""Customers (ECIF/KYC): one customer, one number, all channels."""

from corebank.customers.errors import CustomerExists, CustomerNotActive, CustomerNotFound, InvalidIdNumber
from corebank.customers.rules import make_resident_id, make_uscc
from corebank.customers.schemas import CustomerCreate, CustomerRead, CustomerRef, CustomerUpdate
from corebank.customers.service import (
    customer_history,
    customer_names,
    customer_ref,
    get_customer,
    open_customer,
    reveal_id_number,
    search_customers,
    update_customer,
)

__all__ = [
    "CustomerCreate",
    "CustomerExists",
    "CustomerNotActive",
    "CustomerNotFound",
    "CustomerRead",
    "CustomerRef",
    "CustomerUpdate",
    "InvalidIdNumber",
    "customer_history",
    "customer_names",
    "customer_ref",
    "get_customer",
    "make_resident_id",
    "make_uscc",
    "open_customer",
    "reveal_id_number",
    "search_customers",
    "update_customer",
]
