"""The error tree every provider raises.

Messages are short, user-facing and never contain a secret: providers build
them from status codes, remote error texts and redacted URLs only.
Permanent errors will not go away by retrying (wrong password, bad URL, an
unsupported verb); transient ones may (timeouts, 5xx, rate limits).
"""

from __future__ import annotations


class IntegrationError(Exception):
    """Base of every provider failure. ``code`` is the stable API error code."""

    code = "integration_error"
    permanent = True

    def __init__(self, message: str, *, permanent: bool | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if permanent is not None:
            self.permanent = permanent
        self.details = details or {}

    def __str__(self) -> str:
        return self.message


# -- permanent ---------------------------------------------------------------
class AuthenticationError(IntegrationError):
    code = "authentication_failed"


class ConfigurationError(IntegrationError):
    """Something in idkarr's own configuration must change (a URL, a chosen client or
    proxy): the API answers 409, not 502, since retrying the same request cannot help."""

    code = "configuration_error"
    http_status = 409


class ReleaseBlocklisted(IntegrationError):
    """A grab of a release on the blocklist, without ``force``."""

    code = "blocklisted"
    http_status = 409


class LimitReached(IntegrationError):
    """An indexer's own daily query or grab limit (its settings) is spent."""

    code = "limit_reached"
    http_status = 429


class NotFoundError(IntegrationError):
    code = "not_found"


class UnsupportedError(IntegrationError):
    """The provider (or the remote's version) does not offer this verb."""

    code = "unsupported"
    http_status = 422  # not the remote failing: this kind cannot do it


# -- transient ---------------------------------------------------------------
class ConnectionFailed(IntegrationError):
    code = "connection_failed"
    permanent = False


class RequestTimedOut(IntegrationError):
    code = "timeout"
    permanent = False


class RateLimited(IntegrationError):
    code = "rate_limited"
    permanent = False

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(IntegrationError):
    code = "server_error"
    permanent = False


# -- payload -----------------------------------------------------------------
class ProtocolError(IntegrationError):
    """The remote answered, but not in the shape its API promises (HTML, bad XML/JSON)."""

    code = "protocol_error"
