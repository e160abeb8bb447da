"""The result of parsing a release title: ``ParsedRelease`` and the quality table behind it."""

from __future__ import annotations

from dataclasses import dataclass, fields

# Sonarr's quality names, worst to best in its default profile order; the index is the weight
# used to rank search results. Each name maps to (source, resolution).
QUALITIES: dict[str, tuple[str, int | None]] = {
    "Unknown": ("unknown", None),
    "SDTV": ("television", 480),
    "WEBRip-480p": ("webrip", 480),
    "WEBDL-480p": ("webdl", 480),
    "DVD": ("dvd", 480),
    "Bluray-480p": ("bluray", 480),
    "Bluray-576p": ("bluray", 576),
    "HDTV-720p": ("hdtv", 720),
    "HDTV-1080p": ("hdtv", 1080),
    "Raw-HD": ("hdtv", 1080),
    "WEBRip-720p": ("webrip", 720),
    "WEBDL-720p": ("webdl", 720),
    "Bluray-720p": ("bluray", 720),
    "WEBRip-1080p": ("webrip", 1080),
    "WEBDL-1080p": ("webdl", 1080),
    "Bluray-1080p": ("bluray", 1080),
    "Bluray-1080p Remux": ("bluray", 1080),
    "HDTV-2160p": ("hdtv", 2160),
    "WEBRip-2160p": ("webrip", 2160),
    "WEBDL-2160p": ("webdl", 2160),
    "Bluray-2160p": ("bluray", 2160),
    "Bluray-2160p Remux": ("bluray", 2160),
}
WEIGHTS = {name: index for index, name in enumerate(QUALITIES)}


@dataclass(frozen=True, slots=True)
class ParsedRelease:
    """Everything read from one release title. Immutable: parses are cached and shared.

    Sequences are tuples on the object and lists in ``to_dict()``.
    """

    name: str = "Unknown"  # Sonarr-style quality name, e.g. "WEBDL-1080p"
    source: str = "unknown"  # hdtv, television, webdl, webrip, bluray, dvd, unknown
    resolution: int | None = None  # 480, 576, 720, 1080, 2160
    modifier: str | None = None  # remux, brdisk, rawhd
    proper: bool = False
    repack: bool = False
    revision: int = 1  # 1 = original; PROPER/REPACK = 2; REPACKn = n+1; "v3" = 3
    real: int = 0  # how many times the upper-case word REAL appears after the title
    codec: str | None = None  # x264, x265, xvid, divx, av1, vp9, mpeg2, vc1
    hdr: bool = False
    bit_depth: int | None = None
    title: str | None = None
    year: int | None = None
    season: int | None = None
    seasons: tuple[int, ...] = ()  # every season of a (multi-)season pack
    episodes: tuple[int, ...] = ()
    absolute_episodes: tuple[int, ...] = ()
    air_date: str | None = None  # ISO date of a daily episode
    full_season: bool = False
    is_daily: bool = False
    is_anime: bool = False
    release_group: str | None = None
    languages: tuple[str, ...] = ()  # only languages named in the title, lower case
    internal: bool = False

    @property
    def weight(self) -> int:
        """Rank of the quality (higher is better), for sorting search results."""
        return WEIGHTS.get(self.name, 0)

    def to_dict(self) -> dict:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out
