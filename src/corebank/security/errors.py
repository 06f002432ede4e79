"""Security errors."""

from __future__ import annotations

from corebank.kernel.errors import Conflict, InvalidRequest, NotAuthenticated, NotFound


class LoginFailed(NotAuthenticated):
    code = "LOGIN_FAILED"
    title = "Wrong username or password"


class UserLocked(NotAuthenticated):
    code = "USER_LOCKED"
    title = "The user is locked after too many failed logins; an administrator must unlock it"


class UserExists(Conflict):
    code = "USER_EXISTS"
    title = "A user with this name exists"


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"
    title = "No such user"


class WeakPassword(InvalidRequest):
    code = "WEAK_PASSWORD"
    title = "The password is too weak"


class UnknownRole(InvalidRequest):
    code = "UNKNOWN_ROLE"
    title = "No such role"
