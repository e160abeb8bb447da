"""API authentication and roles.

A caller authenticates with a per-user API key (``X-Api-Key`` header or
``?apikey=``) or the browser session (with CSRF on writes). Each endpoint
declares the role it needs through its ``auth=``: ``READ`` (viewer+), ``WRITE``
(operator+), ``ADMIN_ONLY`` or ``ANY`` (any signed-in user). The role is checked
in the auth step, before the body is parsed, so a viewer gets 403 rather than a
validation error.
"""

from __future__ import annotations

from ninja.security import APIKeyHeader, APIKeyQuery, SessionAuth

from .accounts.models import ApiKey
from .accounts.roles import ADMIN, OPERATOR, VIEWER, has_role, role_of


class Forbidden(Exception):
    def __init__(self, needed: str, role: str | None):
        self.needed, self.role = needed, role
        super().__init__(f"This needs the {needed} role; you have {role or 'no role'}")


def _checked(user, needed: str | None):
    if user is None:
        return None
    if needed is not None and not has_role(user, needed):
        raise Forbidden(needed, role_of(user))
    return user


class ApiKeyHeaderAuth(APIKeyHeader):
    param_name = "X-Api-Key"

    def __init__(self, needed: str | None):
        super().__init__()
        self.needed = needed

    def authenticate(self, request, key):
        return _checked(ApiKey.authenticate(key), self.needed)


class ApiKeyQueryAuth(APIKeyQuery):
    param_name = "apikey"

    def __init__(self, needed: str | None):
        super().__init__()
        self.needed = needed

    def authenticate(self, request, key):
        return _checked(ApiKey.authenticate(key), self.needed)


class RoleSessionAuth(SessionAuth):
    def __init__(self, needed: str | None):
        super().__init__(csrf=True)
        self.needed = needed

    def authenticate(self, request, key):
        user = request.user if request.user.is_authenticated and request.user.is_active else None
        return _checked(user, self.needed)


def auth_for(needed: str | None) -> list:
    return [ApiKeyHeaderAuth(needed), ApiKeyQueryAuth(needed), RoleSessionAuth(needed)]


READ = auth_for(VIEWER)
WRITE = auth_for(OPERATOR)
ADMIN_ONLY = auth_for(ADMIN)
ANY = auth_for(None)


def require(request, needed: str) -> None:
    """For checks inside a view (e.g. admin-only fields): raise Forbidden unless allowed."""
    if not has_role(request.auth, needed):
        raise Forbidden(needed, role_of(request.auth))


__all__ = ["ADMIN_ONLY", "ANY", "READ", "WRITE", "Forbidden", "require"]
