"""Newznab/Torznab ``t=caps`` answers as ``Capabilities``, with Sonarr's defaults."""

from __future__ import annotations

from integrations.errors import ProtocolError

from ..base import Capabilities, Category, SearchMode
from .document import parse_document
from .errors import raise_for_error
from .values import positive_id, tag_name, to_int

# Where the document is silent (Sonarr's NewznabCapabilities defaults).
DEFAULT_PAGE_SIZE = 100
DEFAULT_SEARCH_PARAMS = ["q"]
DEFAULT_TV_SEARCH_PARAMS = ["q", "rid", "season", "ep"]

_YES = frozenset(("yes", "true", "1"))
_MODE_DEFAULTS = {
    "search": DEFAULT_SEARCH_PARAMS,
    "tv-search": DEFAULT_TV_SEARCH_PARAMS,
}


def parse_caps(
    data: bytes, *, service: str, url: str = "", retry_after: float | None = None
) -> Capabilities:
    """Parse a ``t=caps`` answer.

    Where the document is silent idkarr uses Sonarr's defaults: page size 100 (limits
    ``max``/``default``; a default above the max is clamped to it); a search mode
    without ``supportedParams`` supports ``q`` (``tv-search``: ``q, rid, season, ep``);
    with no ``<searching>`` element at all, ``search`` and ``tv-search`` are assumed
    available with those parameters. ``audio-search`` is also listed as
    ``music-search`` (and the reverse) because servers use either name.
    Parameter names are lowercased, split on commas and stripped."""
    root, _ = parse_document(data, service=service, url=url, what="capabilities document")
    raise_for_error(root, service=service, url=url, retry_after=retry_after)
    if root.tag != "caps":
        raise ProtocolError(
            f"{service} did not return a capabilities document "
            f"(root element <{tag_name(root)}>); check the URL and the API path"
        )
    caps = Capabilities()
    _read_server(root, caps)
    _read_limits(root, caps)
    _read_search_modes(root, caps)
    _read_categories(root, caps)
    tags = root.find("tags")
    if tags is not None:
        caps.tags = [
            t.get("name").strip() for t in tags.iterchildren("tag") if (t.get("name") or "").strip()
        ]
    return caps


def _read_server(root, caps: Capabilities) -> None:
    server = root.find("server")
    if server is not None:
        caps.server_title = (server.get("title") or "").strip()
        caps.server_version = (server.get("version") or server.get("appversion") or "").strip()


def _read_limits(root, caps: Capabilities) -> None:
    limits = root.find("limits")
    limit_max = limit_default = None
    if limits is not None:
        limit_max = positive_id(limits.get("max"))
        limit_default = positive_id(limits.get("default"))
    caps.limit_max = limit_max or max(DEFAULT_PAGE_SIZE, limit_default or 0)
    caps.limit_default = min(
        limit_default or min(DEFAULT_PAGE_SIZE, caps.limit_max), caps.limit_max
    )


def _read_search_modes(root, caps: Capabilities) -> None:
    searching = root.find("searching")
    if searching is None:
        caps.search_modes = {
            "search": SearchMode(True, list(DEFAULT_SEARCH_PARAMS)),
            "tv-search": SearchMode(True, list(DEFAULT_TV_SEARCH_PARAMS)),
        }
        return
    for mode in searching:
        if not isinstance(mode.tag, str):
            continue
        name = mode.tag.lower()
        raw = mode.get("supportedParams")
        if raw is None:
            raw = mode.get("supportedparams")
        if raw is None:
            params = list(_MODE_DEFAULTS.get(name, DEFAULT_SEARCH_PARAMS))
        else:
            params = list(dict.fromkeys(p.strip().lower() for p in raw.split(",") if p.strip()))
        caps.search_modes[name] = SearchMode(
            available=(mode.get("available") or "").strip().lower() in _YES,
            supported_params=params,
            search_engine=(mode.get("searchEngine") or mode.get("searchengine") or "")
            .strip()
            .lower(),
        )
    for a, b in (("audio-search", "music-search"), ("music-search", "audio-search")):
        if a in caps.search_modes and b not in caps.search_modes:
            src = caps.search_modes[a]
            caps.search_modes[b] = SearchMode(
                src.available, list(src.supported_params), src.search_engine
            )


def _read_categories(root, caps: Capabilities) -> None:
    categories = root.find("categories")
    if categories is None:
        return
    for cat in categories.iterchildren("category"):
        number = to_int(cat.get("id"))
        if number is None or number < 0:
            continue
        subs = []
        for sub in cat.iterchildren("subcat"):
            sub_id = to_int(sub.get("id"))
            if sub_id is not None and sub_id >= 0:
                subs.append(Category(sub_id, (sub.get("name") or "").strip()))
        caps.categories.append(Category(number, (cat.get("name") or "").strip(), subs))
