"""Newznab ``<error code description>`` answers mapped onto idkarr's error tree.

``raise_for_error`` follows Sonarr's parsers (the package's tests pin each case):

* 100-199 (bad credentials, suspended account …) -> ``AuthenticationError`` (permanent).
* "Missing parameter" without an apikey in the request, or a description about the
  apikey -> ``AuthenticationError`` ("requires an API key").
* "Request limit reached" (any case, also NNTmux's "Request limit reached (N/M)"),
  code 429 (Prowlarr), code 500 or 501 with a description about a limit, and any
  description saying a limit was reached/exceeded -> ``RateLimited``; ``retry_after``
  comes from the text ("try again in 35 minutes", "retry after 120 seconds", "resets
  at <date>"), else from the caller's ``Retry-After``, else one hour (Sonarr's minimum
  back-off for request limits).
* 410 (Prowlarr: "Indexer is disabled") -> ``ConfigurationError``.
* 202/203 (no such function / function not available) -> ``UnsupportedError``.
* 300 (no such item) -> ``NotFoundError``.
* 500 without a limit in its text (Prowlarr's internal failures) -> ``ServerError``.
* anything else -> ``IntegrationError(permanent=False)``: Sonarr treats generic
  indexer errors as failures that escalate the back-off, not as permanent.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    RateLimited,
    ServerError,
    UnsupportedError,
)
from integrations.http import excerpt, redact

from .dates import parse_any_date

DEFAULT_RATE_LIMIT_SECONDS = 3600.0

_RETRY_IN = re.compile(
    r"(?:in|after|wait)\s+(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b",
    re.I,
)
_RETRY_AT = re.compile(
    r"(?:until|till|at|resets?\s+(?:at|on)?|next\s+\w+\s+(?:at|on)?)\s*[:=]?\s*"
    r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\w{3},\s+\d{1,2}\s+\w{3}\s+\d{4}\s+\d{2}:\d{2}(?::\d{2})?\s*(?:[+-]\d{4}|GMT|UTC)?)",
    re.I,
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def retry_after_from_text(text: str, *, now: datetime | None = None) -> float | None:
    """Seconds until a limit resets, read from an indexer's error text; None if absent."""
    if not text:
        return None
    match = _RETRY_IN.search(text)
    if match:
        unit = match.group(2).lower()
        return float(match.group(1)) * _UNIT_SECONDS[unit[0]]
    match = _RETRY_AT.search(text)
    if match:
        when = parse_any_date(match.group(1))
        if when is not None:
            now = now or datetime.now(UTC)
            return max(0.0, (when - now).total_seconds())
    return None


def raise_for_error(root, *, service: str, url: str = "", retry_after: float | None = None) -> None:
    """Raise the mapped error if ``root`` is, or holds, a Newznab ``<error>`` element.

    ``retry_after`` is the HTTP ``Retry-After`` of the answer, if any: used for a rate
    limit whose text names no reset time. See the module docstring for the mapping."""
    if root is None:
        return
    if root.tag == "error":
        error = root
    else:
        error = next(root.iter("error"), None)
        if error is None:
            return
    raw_code = (error.get("code") or "").strip()
    description = " ".join((error.get("description") or error.text or "").split())
    try:
        code = int(raw_code)
    except ValueError:
        code = None
    _raise_mapped(code, description, service=service, url=url, retry_after=retry_after)


def _raise_mapped(code, description, *, service, url, retry_after):
    said = f": {excerpt(description, 160)}" if description else ""
    coded = f"error {code}" if code is not None else "an error"
    details = {"code": code, "description": description}
    lowered = description.lower()

    if code is not None and 100 <= code <= 199:
        raise AuthenticationError(
            f"{service} refused the API key or the account ({coded}{said}); "
            "check the API key and the account on the indexer's site",
            details=details,
        )
    asks_for_key = "apikey" in lowered.replace(" ", "") or "api key" in lowered
    missing_param = lowered.startswith("missing parameter")
    if asks_for_key or (missing_param and url and "apikey=" not in url.lower()):
        raise AuthenticationError(
            f"{service} requires an API key ({coded}{said}); enter the indexer's API key",
            details=details,
        )
    if _is_rate_limit(code, lowered):
        wait = retry_after_from_text(description)
        if wait is None:
            wait = retry_after if retry_after is not None else DEFAULT_RATE_LIMIT_SECONDS
        which = "download" if (code == 501 or "download" in lowered or "grab" in lowered) else "API"
        raise RateLimited(
            f"{service} reached its {which} request limit ({coded}{said}); "
            f"idkarr pauses it for {_human(wait)}",
            retry_after=wait,
            details=details,
        )
    if code == 410:
        raise ConfigurationError(
            f"{service} says the indexer is disabled ({coded}{said}); enable it there",
            details=details,
        )
    if code in (202, 203):
        raise UnsupportedError(
            f"{service} does not offer this function ({coded}{said})", details=details
        )
    if code == 300:
        raise NotFoundError(f"{service} has no such item ({coded}{said})", details=details)
    if code == 500:
        raise ServerError(f"{service} failed to answer ({coded}{said})", details=details)
    where = f" for {redact(url)}" if url else ""
    raise IntegrationError(
        f"{service} answered with {coded}{where}{said}", permanent=False, details=details
    )


def _is_rate_limit(code: int | None, lowered: str) -> bool:
    if "request limit reached" in lowered or code == 429:
        return True
    mentions_limit = "limit" in lowered
    if code in (500, 501) and (mentions_limit or not lowered):
        return True
    return mentions_limit and ("reached" in lowered or "exceeded" in lowered)


def _human(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds >= 3600 and seconds % 3600 == 0:
        n = seconds // 3600
        return f"{n} hour" + ("s" if n != 1 else "")
    if seconds >= 60:
        n = round(seconds / 60)
        return f"{n} minute" + ("s" if n != 1 else "")
    return f"{seconds} s"
