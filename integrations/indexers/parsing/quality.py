"""Quality from a release title: source, resolution, modifier and the Sonarr-style name.

The decision rules follow Sonarr's QualityParser (the last source word wins; the resolution
refines it; a bare resolution means HDTV; a bare x264 means SDTV).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import QUALITIES

_F = re.IGNORECASE | re.ASCII

_RESOLUTION = re.compile(
    r"(?<![0-9])(?:"
    r"(?P<r2160>2160[pi]|3840x2160|4320p)"
    r"|(?P<r1080>1080[pi]|1920x1080|1440p|4kto1080p)"
    r"|(?P<r720>720p|1280x720|960p)"
    r"|(?P<r576>576[pi])"
    r"|(?P<r480>480[pi]|640x480|848x480|720x480|360p|540p)"
    r")(?![a-z])"
    r"|\b(?:(?P<fhd>FHD)|(?P<uhd4k>4k[-. ](?:UHD|HEVC|BD|H26[56])|(?:UHD|HEVC|BD|H26[56])[-. ]4k))\b",
    _F,
)
# Only when nothing else names the resolution: "UHD" or "4K" alone mean 2160p.
_IMPLIED_2160 = re.compile(r"\b(?:UHD|4K)\b", _F)

_SOURCE = re.compile(
    r"\b(?:"
    r"(?P<bluray>M?Blu[-. ]?Ray|HD[-. ]?DVD|BDMux|UHD[-. ]?BD|BD(?:25|50|66|100)?(?!$)"
    r"|BR[-. ]?DISK)"
    r"|(?P<webdl>WEB[-. ]?DL(?:mux)?|AmazonHD|AmazonSD|iTunesHD|MaxdomeHD|NetflixU?HD|WebHD"
    r"|HBOMaxHD|DisneyHD|(?-i:WEB)(?![-. ]?(?:Rip|DL|Cap|Mux))"
    r"|(?<=[\[(])WEB(?=[\]. ])|(?<=[0-9]p[-. ])WEB(?=[-. ])"
    r"|WEB(?=[-. ](?:[xh][-. ]?26[45]|AVC|HEVC|DDP?[\d. ]|AAC|EAC3|\d{3,4}p)))"
    r"|(?P<webrip>WEB[-. ]?Rip|WEBMux|WEBCap)"
    r"|(?P<hdtv>HDTV(?:Rip)?|HD[-. ]TV|UHDTV)"
    r"|(?P<bdrip>BDRip|BDLight|UHDBDRip|BRRip)"
    r"|(?P<dvd>DVD(?:Rip|R|5|9|Mux)?|NTSC|PAL|xvidvd)"
    r"|(?P<tv>WS[-. ]DSR|DSR(?:ip)?|PDTV|SDTV|SD[-. ]TV|TVRip|SATRip|DTHRip)"
    r")(?:\b|(?=\d{3,4}[pi]))",
    _F,
)
_ANIME_BLURAY = re.compile(r"(?<![a-z])BD(?=720|1080|2160)", _F)
_ANIME_WEB = re.compile(r"[\[(]WEB[\]. ]", _F)
_HIGH_DEF_PDTV = re.compile(r"\bhr[-. ]ws\b", _F)
_REMUX = re.compile(r"\b(?:BD|UHD)?[-. ]?Remux\b", _F)
_RAWHD = re.compile(r"\bRaw[-. ]?HD\b", _F)
_BRDISK = re.compile(
    r"\b(?:BR[-. ]?DISK|BD(?:25|50|66|100)|BDMV|BDISO|"
    r"COMPLETE[-. ](?:UHD[-. ])?(?:Blu[-. ]?Ray|BD)|Full[-. ]?Blu[-. ]?Ray)\b",
    _F,
)
_ENCODE = re.compile(r"\b(?:[xh][-. ]?26[45]|XviD|DivX)\b", _F)

_CODEC = re.compile(
    r"\b(?:(?P<x265>[xh][-. ]?265|HEVC)|(?P<x264>[xh][-. ]?264|AVC)|(?P<xvid>XviD(?:HD)?)"
    r"|(?P<divx>DivX)|(?P<av1>AV1)|(?P<vp9>VP9)|(?P<mpeg2>MPEG[-. ]?2)|(?P<vc1>VC[-. ]?1))\b",
    _F,
)
_HDR = re.compile(r"\b(?:HDR(?:10)?(?:Plus|\+)?|DV|DoVi|Dolby[-. ]?Vision|HLG)(?![a-z0-9])", _F)
_BIT_DEPTH = re.compile(r"\b(?:(?P<n>8|10|12)[-. ]?bits?|(?P<hi10>Hi10P?))\b", _F)

_PROPER = re.compile(r"\bPROPER(?P<n>\d)?\b", _F)
_REPACK = re.compile(r"\b(?:REPACK|RERIP)(?P<n>\d)?\b", _F)
_VERSION = re.compile(
    r"\dv(?P<a>\d)(?![0-9a-z])|\[v(?P<b>\d)\]|(?:480|576|720|1080|2160)p[. ]v(?P<c>\d)\b", _F
)
_REAL = re.compile(r"\bREAL\b", re.ASCII)  # case-sensitive: "Real" in a title is not a flag
_INTERNAL = re.compile(r"\bINTERNAL\b", _F)

# Sonarr's quality-by-extension table, used only when the name says nothing.
_EXTENSION_QUALITY = {
    "mkv": "HDTV-720p",
    "m2ts": "Bluray-720p",
    "iso": "DVD",
    "img": "DVD",
    "vob": "DVD",
    **dict.fromkeys(("avi", "mp4", "m4v", "wmv", "mov", "mpg", "mpeg", "flv", "divx"), "SDTV"),
}

_RES_NAMES = {2160: "2160p", 1080: "1080p", 720: "720p"}


@dataclass(slots=True)
class Quality:
    name: str = "Unknown"
    source: str = "unknown"
    resolution: int | None = None
    modifier: str | None = None
    codec: str | None = None
    hdr: bool = False
    bit_depth: int | None = None


@dataclass(slots=True)
class Revision:
    proper: bool = False
    repack: bool = False
    revision: int = 1
    real: int = 0
    internal: bool = False


def _resolution(text: str) -> int | None:
    m = _RESOLUTION.search(text)
    if m is None:
        return 2160 if _IMPLIED_2160.search(text) else None
    kind = m.lastgroup
    if kind in ("r2160", "uhd4k"):
        return 2160
    if kind in ("r1080", "fhd"):
        return 1080
    if kind == "r720":
        return 720
    if kind == "r576":
        return 576
    return 480


def _quality_name(text: str, extension: str | None) -> tuple[str, str | None]:
    """(quality name, modifier) for a cleaned title, following Sonarr's decision order."""
    resolution = _resolution(text)
    codec = _CODEC.search(text)
    codec_kind = codec.lastgroup if codec else None
    remux = _REMUX.search(text) is not None
    source = None
    for source in _SOURCE.finditer(text):  # noqa: B007 - the last source word wins
        pass
    kind = source.lastgroup if source else None

    if _RAWHD.search(text) or (kind == "hdtv" and codec_kind == "mpeg2"):
        return "Raw-HD", "rawhd"

    if kind == "bluray":
        modifier = None
        if _BRDISK.search(text) and not _ENCODE.search(text) and not remux:
            modifier = "brdisk"
        if codec_kind in ("xvid", "divx"):
            return "Bluray-480p", modifier
        if resolution in (2160, 1080):
            if remux:
                return f"Bluray-{_RES_NAMES[resolution]} Remux", "remux"
            return f"Bluray-{_RES_NAMES[resolution]}", modifier
        if resolution == 576:
            return "Bluray-576p", modifier
        if resolution == 480:
            return "Bluray-480p", modifier
        if remux and resolution != 720:
            return "Bluray-1080p Remux", "remux"
        return "Bluray-720p", modifier

    if kind in ("webdl", "webrip"):
        prefix = "WEBDL" if kind == "webdl" else "WEBRip"
        if resolution in _RES_NAMES:
            return f"{prefix}-{_RES_NAMES[resolution]}", None
        if kind == "webdl" and ("[WEBDL]" in text or _ANIME_WEB.search(text)):
            return "WEBDL-720p", None
        return f"{prefix}-480p", None

    if kind == "hdtv":
        if resolution in _RES_NAMES:
            return f"HDTV-{_RES_NAMES[resolution]}", None
        if "[HDTV]" in text or source.group().upper() in ("HD TV", "HD-TV", "HD.TV"):
            return "HDTV-720p", None
        return "SDTV", None

    if kind == "bdrip":
        if resolution in _RES_NAMES:
            return f"Bluray-{_RES_NAMES[resolution]}", None
        return ("Bluray-576p" if resolution == 576 else "Bluray-480p"), None

    if kind == "dvd":
        return "DVD", None

    if kind == "tv":
        if resolution in (1080, 720):
            return f"HDTV-{_RES_NAMES[resolution]}", None
        if _HIGH_DEF_PDTV.search(text):
            return "HDTV-720p", None
        return "SDTV", None

    if _ANIME_BLURAY.search(text):
        if resolution in (480, 576):
            return "DVD", None
        if resolution in (2160, 1080):
            if remux:
                return f"Bluray-{_RES_NAMES[resolution]} Remux", "remux"
            return f"Bluray-{_RES_NAMES[resolution]}", None
        return "Bluray-720p", None

    if resolution is not None:
        if remux:
            if resolution in (2160, 1080):
                return f"Bluray-{_RES_NAMES[resolution]} Remux", "remux"
            return ("Bluray-720p" if resolution == 720 else "Bluray-480p"), None
        if resolution in _RES_NAMES:
            return f"HDTV-{_RES_NAMES[resolution]}", None
        return "SDTV", None

    if codec_kind in ("x264", "xvid", "divx"):
        return "SDTV", None

    if extension:
        return _EXTENSION_QUALITY.get(extension.lower(), "Unknown"), None
    return "Unknown", None


def parse_quality(text: str, extension: str | None = None) -> Quality:
    """Quality of a cleaned title (underscores already turned into spaces)."""
    name, modifier = _quality_name(text, extension)
    source, resolution = QUALITIES[name]
    if resolution == 480 and name in ("DVD", "SDTV") and _resolution(text) == 576:
        resolution = 576
    codec = _CODEC.search(text)
    depth = _BIT_DEPTH.search(text)
    return Quality(
        name=name,
        source=source,
        resolution=resolution,
        modifier=modifier,
        codec=codec.lastgroup if codec else None,
        hdr=_HDR.search(text) is not None,
        bit_depth=(10 if depth.group("hi10") else int(depth.group("n"))) if depth else None,
    )


def parse_revision(text: str, tail: str) -> Revision:
    """Proper/repack/version from the words after the title (``tail``); ``vN`` from anywhere."""
    proper = _PROPER.search(tail)
    repack = _REPACK.search(tail)
    version = _VERSION.search(text)
    if version:
        revision = int(version.group("a") or version.group("b") or version.group("c"))
    elif repack and repack.group("n"):
        revision = int(repack.group("n")) + 1
    elif proper and proper.group("n"):
        revision = int(proper.group("n")) + 1
    elif proper or repack:
        revision = 2
    else:
        revision = 1
    return Revision(
        proper=proper is not None,
        repack=repack is not None,
        revision=max(revision, 1),
        real=len(_REAL.findall(tail)),
        internal=_INTERNAL.search(tail) is not None,
    )
