"""Reading a media server's JSON without trusting its types: each helper gives the
value when it has the expected shape and an empty one otherwise, so a mistyped
field skips that entry instead of raising KeyError or TypeError."""

from __future__ import annotations

from typing import Any


def text(value: Any) -> str:
    """A string as is, a number as its digits (Plex sends some keys either way)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def integer(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def obj(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []
