"""RSS dates: RFC 822 on every item, ISO 8601 or RFC 822 in error texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
# "Jan" -> "01": the fixed-width shape every indexer sends is rearranged into ISO 8601
# for ``datetime.fromisoformat`` (C code, three times faster than splitting by hand).
_MONTH_DIGITS = {
    name: f"{number:02d}"
    for name, number in (
        *((m.title(), n) for m, n in _MONTHS.items()),
        *((m.upper(), n) for m, n in _MONTHS.items()),
        *_MONTHS.items(),
    )
}
_UTC_NAMES = frozenset(("", "gmt", "utc", "ut", "z", "+0000", "-0000", "+00:00"))
_ZONES: dict[str, timezone] = {}


def _zone(text: str) -> timezone | None:
    """A numeric offset ("+0100", "-06:00") or UTC name as a tzinfo; None if unknown."""
    if text.lower() in _UTC_NAMES:
        return UTC
    zone = _ZONES.get(text)
    if zone is None:
        digits = text[1:].replace(":", "")
        if text[:1] not in "+-" or len(digits) != 4 or not digits.isdigit():
            return None
        minutes = int(digits[:2]) * 60 + int(digits[2:])
        if minutes >= 24 * 60:
            return None
        zone = timezone(timedelta(minutes=-minutes if text[0] == "-" else minutes))
        if len(_ZONES) < 256:
            _ZONES[text] = zone
    return zone


def parse_rfc822(text: str | None) -> datetime | None:
    """An RSS date ("Sat, 11 Apr 2015 21:34:00 -0600") as an aware datetime; None if bad.

    The common shape is read directly (it is on every item); anything else goes
    through ``email.utils``. A date without a zone is taken as UTC."""
    if not text:
        return None
    # "Mon, 06 Jan 2025 11:43:00 +0000": 31 characters at fixed places.
    if (
        len(text) == 31
        and text[3:5] == ", "
        and text[:3].isalpha()
        and text[7] == text[11] == text[16] == text[25] == " "
        and text[19] == text[22] == ":"
    ):
        month_digits = _MONTH_DIGITS.get(text[8:11])
        if month_digits is not None and text[26] in "+-" and text[27:].isdigit():
            try:
                return datetime.fromisoformat(
                    f"{text[12:16]}-{month_digits}-{text[5:7]}T{text[17:25]}{text[26:]}"
                )
            except ValueError:
                pass  # out-of-range fields: the general reader decides
    parts = text.split()
    try:
        if parts and parts[0][-1:] == ",":
            parts = parts[1:]
        if 4 <= len(parts) <= 5 and len(parts[2]) == 4:
            month = _MONTHS.get(parts[1][:3].lower())
            zone = _zone(parts[4]) if len(parts) == 5 else UTC
            clock = parts[3].split(":")
            if month is not None and zone is not None and 2 <= len(clock) <= 3:
                return datetime(
                    int(parts[2]),
                    month,
                    int(parts[0]),
                    int(clock[0]),
                    int(clock[1]),
                    int(clock[2]) if len(clock) == 3 else 0,
                    tzinfo=zone,
                )
    except (ValueError, IndexError, OverflowError):
        pass
    try:
        when = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when


def parse_any_date(text: str) -> datetime | None:
    """An ISO 8601 or RFC 822 date as an aware datetime (UTC when it names no zone)."""
    text = text.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = parse_rfc822(text)
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when
