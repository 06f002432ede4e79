"""Approval errors."""

from __future__ import annotations

from corebank.kernel.errors import Conflict, NotFound, PermissionDenied


class ApprovalNotFound(NotFound):
    code = "APPROVAL_NOT_FOUND"
    title = "No such approval"


class ApprovalNotPending(Conflict):
    code = "APPROVAL_NOT_PENDING"
    title = "The approval has already been decided"


class SelfApproval(PermissionDenied):
    code = "SELF_APPROVAL"
    title = "The person who made a request may not approve it"
