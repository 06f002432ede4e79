"""Operations: the maker-checker approvals every area uses."""

from corebank.operations.schemas import ApprovalDecision, ApprovalRead
from corebank.operations.service import (
    approve,
    get_approval,
    list_approvals,
    pending_error,
    register_executor,
    reject,
    request_approval,
)

__all__ = [
    "ApprovalDecision",
    "ApprovalRead",
    "approve",
    "get_approval",
    "list_approvals",
    "pending_error",
    "register_executor",
    "reject",
    "request_approval",
]
