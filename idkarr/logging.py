"""A logging filter that scrubs credentials from URLs and key=value pairs in any record."""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    (re.compile(r"(://)[^/\s:@]+:[^/\s@]+@"), r"\1***:***@"),
    (
        re.compile(r"((?:api_?key|apikey|token|password|passwd|secret|sid)=)[^&\s\"']+", re.I),
        r"\1***",
    ),
    (re.compile(r"(X-Api-Key:\s*)\S+", re.I), r"\1***"),
    (re.compile(r"(Authorization:\s*\w+\s+)\S+", re.I), r"\1***"),
]


def scrub(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the record
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
