"""Products: the product factory (deposit products as data, effective-dated rates)."""

from corebank.products.errors import ProductNotAvailable, ProductNotFound, RateNotFound
from corebank.products.schemas import ProductRead
from corebank.products.service import (
    DepositProduct,
    ProductTerms,
    demand_rate_on,
    deposit_product,
    interest_bearing_demand_products,
    list_products,
    rate_on,
    seed_standard_products,
    terms,
)

__all__ = [
    "DepositProduct",
    "ProductNotAvailable",
    "ProductNotFound",
    "ProductRead",
    "ProductTerms",
    "RateNotFound",
    "demand_rate_on",
    "deposit_product",
    "interest_bearing_demand_products",
    "list_products",
    "rate_on",
    "seed_standard_products",
    "terms",
]
