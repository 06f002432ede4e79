"""Customers (ECIF/KYC): one customer, one number, all channels."""

from corebank.customers.errors import CustomerExists, CustomerNotActive, CustomerNotFound, InvalidIdNumber
from corebank.customers.identity_check import customer_ref_by_id, id_matches, phone_matches, phone_problem
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
from corebank.customers.tier import set_tier, tier_of

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
    "customer_ref_by_id",
    "get_customer",
    "id_matches",
    "make_resident_id",
    "make_uscc",
    "open_customer",
    "phone_matches",
    "phone_problem",
    "reveal_id_number",
    "search_customers",
    "set_tier",
    "tier_of",
    "update_customer",
]
