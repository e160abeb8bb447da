"""Per-family registries of provider classes, filled explicitly by each family's
``providers/__init__.py`` (no import-time magic, no migrations for a new kind)."""

from __future__ import annotations

import re

from .base import Provider

KIND_RE = re.compile(r"^[a-z][a-z0-9]*$")


class UnknownKind(LookupError):
    def __init__(self, family: str, kind: str, known: list[str]):
        super().__init__(f"Unknown {family} kind {kind!r}; known kinds: {', '.join(known)}")
        self.kind = kind
        self.known = known


class Registry:
    def __init__(self, family: str):
        self.family = family
        self._kinds: dict[str, type[Provider]] = {}

    def register(self, cls: type[Provider]) -> type[Provider]:
        if not KIND_RE.match(cls.kind or ""):
            raise ValueError(f"{cls.__name__}.kind must be a lowercase slug, got {cls.kind!r}")
        if cls.kind in self._kinds and self._kinds[cls.kind] is not cls:
            raise ValueError(f"{self.family} kind {cls.kind!r} registered twice")
        if cls.family != self.family:
            raise ValueError(f"{cls.__name__}.family is {cls.family!r}, expected {self.family!r}")
        self._kinds[cls.kind] = cls
        return cls

    def get(self, kind: str) -> type[Provider]:
        try:
            return self._kinds[kind]
        except KeyError:
            raise UnknownKind(self.family, kind, self.kinds()) from None

    def kinds(self) -> list[str]:
        return sorted(self._kinds)

    def classes(self) -> list[type[Provider]]:
        return [self._kinds[k] for k in self.kinds()]

    def __contains__(self, kind: str) -> bool:
        return kind in self._kinds
