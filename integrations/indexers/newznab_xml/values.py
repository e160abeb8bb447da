"""Attribute text as numbers and ids: lenient, never raising, None when unusable."""

from __future__ import annotations

import re

_IMDB_DIGITS = re.compile(r"^(?:tt)?0*(\d{1,10})$", re.I)
_INF = float("inf")


def to_int(value) -> int | None:
    """An integer from attribute text ("12", " 12 ", "12.0"); None when it is not one."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        number = to_float(value)
        return int(number) if number is not None else None


def to_float(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if number != number or number in (_INF, -_INF):
        return None
    return number


def positive_id(value) -> int | None:
    number = to_int(value)
    return number if number is not None and number > 0 else None


def normalize_imdb(value: str | None) -> str | None:
    """``"944947"``, ``"0944947"`` or ``"tt0944947"`` -> ``"tt0944947"``; None if not an id."""
    if not value:
        return None
    if value.isascii() and value.isdigit():  # the usual shape: "944947"
        number = int(value)
        if number > 0 and len(value.lstrip("0")) <= 10:
            return f"tt{number:07d}"
        return None
    match = _IMDB_DIGITS.match(value.strip())
    if not match:
        return None
    number = int(match.group(1))
    return f"tt{number:07d}" if number > 0 else None


def tag_name(element) -> str:
    """An element's tag without its namespace, for messages."""
    tag = element.tag if isinstance(element.tag, str) else "?"
    return tag.rsplit("}", 1)[-1]
