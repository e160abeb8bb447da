"""Reading ``IDKARR_*`` settings from the environment, with ``_FILE`` variants for secrets."""

from __future__ import annotations

import os
from pathlib import Path

PREFIX = "IDKARR_"


def get(name: str, default: str | None = None) -> str | None:
    """``IDKARR_<name>``, else the content of the file named by ``IDKARR_<name>_FILE``, else default."""
    value = os.environ.get(PREFIX + name)
    if value not in (None, ""):
        return value
    path = os.environ.get(PREFIX + name + "_FILE")
    if path:
        return Path(path).read_text().strip()
    return default


def get_bool(name: str, default: bool = False) -> bool:
    value = get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def get_int(name: str, default: int) -> int:
    value = get(name)
    return default if value is None else int(value)


def get_list(name: str, default: list[str]) -> list[str]:
    value = get(name)
    if value is None:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]
