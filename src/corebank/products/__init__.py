"""Products: the product factory (read from tables)."""

from corebank.products.errors import ProductNotAvailable, ProductNotFound
from corebank.products.schemas import ProductRead
from corebank.products.service import ProductTerms, list_products, seed_standard_products, terms

__all__ = [
    "ProductNotAvailable",
    "ProductNotFound",
    "ProductRead",
    "ProductTerms",
    "list_products",
    "seed_standard_products",
    "terms",
]
