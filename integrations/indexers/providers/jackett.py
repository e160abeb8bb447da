"""Jackett: a Torznab preset that knows Jackett's URL shape.

Jackett serves each configured tracker at
``{address}/api/v2.0/indexers/<indexer>/results/torznab/`` and the aggregate of all of
them at indexer ``all`` (or a filter such as ``tag:anime``, ``type:private``). The
address may carry a URL base (``http://host:9117/jackett``). Users often paste the
"Copy Torznab Feed" URL whole; ``base_url`` accepts it (also the legacy
``/torznab/<indexer>`` form, and an ``apikey=`` in it when no key is set) and splits it.

The aggregate works, but Jackett's maintainers advise against it for Sonarr/Radarr:
it answers only when its slowest tracker has, so one slow or broken site makes the
whole search time out, and a tracker that fails is hidden (it just adds nothing), so
idkarr cannot back it off alone. ``test()`` says so.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from pydantic import Field, field_validator, model_validator

from ..base import ApiKeyMixin, IndexerSettings
from .newznab import NabFields, validate_base_url
from .torznab import SeedFields, Torznab

AGGREGATE = "all"
_FEED_PATH = re.compile(
    r"^(?P<base>.*?)/(?:api/v2\.0/indexers|torznab)/(?P<indexer>[^/]+)"
    r"(?:/results(?:/torznab)?)?(?:/api)?/?$",
    re.I,
)
_INDEXER = re.compile(r"^[A-Za-z0-9_.:,+!-]+$")


def split_feed_url(url: str) -> tuple[str, str | None, str | None]:
    """``(address, indexer or None, apikey or None)`` from a Jackett address or feed URL."""
    parts = urlsplit((url or "").strip())
    key = dict(parse_qsl(parts.query)).get("apikey")
    match = _FEED_PATH.match(parts.path)
    path, indexer = (match["base"], match["indexer"]) if match else (parts.path, None)
    address = urlunsplit((parts.scheme, parts.netloc, path.rstrip("/"), "", ""))
    return address, indexer, key


class JackettSettings(IndexerSettings, ApiKeyMixin, NabFields, SeedFields):
    base_url: str = Field(
        ...,
        description="Jackett's address, e.g. http://localhost:9117 (a pasted Torznab feed "
        "URL works too)",
    )
    indexer: str = Field(
        AGGREGATE,
        description="Jackett indexer id (e.g. 1337x), or 'all' for the aggregate (not "
        "recommended: slow, hides failures)",
    )

    @model_validator(mode="before")
    @classmethod
    def _split_pasted_url(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("base_url"), str):
            return data
        address, indexer, key = split_feed_url(data["base_url"])
        data = dict(data)
        data["base_url"] = address
        if indexer:
            given = (data.get("indexer") or "").strip()
            if given and given != AGGREGATE and given != indexer:
                raise ValueError(
                    f"The feed URL names Jackett indexer {indexer!r} but indexer is {given!r}"
                )
            data["indexer"] = indexer
        if key and not data.get("api_key"):
            data["api_key"] = key
        return data

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return validate_base_url(value)

    @field_validator("indexer")
    @classmethod
    def _indexer(cls, value: str) -> str:
        value = (value or "").strip()
        if not value or not _INDEXER.match(value):
            raise ValueError("Give the Jackett indexer id (as in its Torznab URL) or 'all'")
        return value


class Jackett(Torznab):
    kind = "jackett"
    label = "Jackett"
    Settings = JackettSettings
    settings: JackettSettings

    @property
    def api_url(self) -> str:
        return (
            f"{self.settings.base_url}/api/v2.0/indexers/{self.settings.indexer}/results/torznab/"
        )

    @property
    def is_aggregate(self) -> bool:
        indexer = self.settings.indexer.lower()
        return indexer == AGGREGATE or ":" in indexer

    def test_warnings(self) -> list[str]:
        if not self.is_aggregate:
            return []
        return [
            "Jackett's aggregate indexer waits for its slowest tracker (one slow site can "
            "time out the whole search) and hides trackers that fail; add Jackett's "
            "indexers one by one for per-indexer results and back-off"
        ]
