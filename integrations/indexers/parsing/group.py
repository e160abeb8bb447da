"""Release group: a fansub "[Group]" prefix, a scene "-GROUP" suffix, a trailing "[GROUP]"
tag, or a P2P encoder named last inside the closing parentheses."""

from __future__ import annotations

import re
from dataclasses import dataclass

_F = re.IGNORECASE | re.ASCII

_LEADING = re.compile(r"^\[(?P<group>[^\[\]]{1,60})\]\s*")
_TRAILING_BRACKET = re.compile(r"(?<=[\s.\])-])\[(?P<group>[A-Za-z0-9][A-Za-z0-9 .&@-]{0,40})\]$")
_CRC = re.compile(r"\s*[\[(](?P<crc>[0-9A-F]{8})[\])]$", re.IGNORECASE)
# Encoders who sign inside the closing parentheses: "(1080p BluRay x265 10bit Tigole)".
_PAREN_ENCODERS = re.compile(
    r"\((?:[^()]{0,200}\s)?(?P<group>Tigole|Joy|Silence|afm72|Panda|Ghost|MONOLITH|Kappa|t3nzin"
    r"|RZeroX|SAMPA|Qman|FreetheFish|Garshasp|HONE|YOGI|Vyndros|RCVR|UTR|ImE|Natty|r00t|SEV"
    r"|HDO|DHD|CtrlHD|ADC|XZVN|Kametsu|Anna|Bandi|theincognito|DusIctv)\)$"
)
_TECH_INSIDE = re.compile(r"\d{3,4}[pi]|^(?:blu-?ray|web|hdtv|dvd|bd)", _F)
_DOTTED_GROUPS = {"yts.mx": "YTS.MX", "yts.lt": "YTS.LT", "yts.ag": "YTS.AG", "yts.am": "YTS.AM"}
_GROUP_SHAPE = re.compile(r"^[^\W_][\w@&]{0,29}$")  # unicode letters allowed: "-Báleygr"
_LANGUAGE_SUFFIX = re.compile(
    r"^(?P<group>[^\s.]+)[ .](?:English|German|French|Italian|Spanish|Dutch|Nordic)$", re.I
)

# Words that end a title after a dash but are not groups: "WEB-DL", "DTS-HD", "2024-03-15".
_NOT_GROUPS = frozenset(
    """dl hd rip ray tv dvd ma x es en eng ger fra fre ita jap cat spa web webdl webrip hdtv bluray
    sub subs audio dts ac3 aac ddp dd hdr dv sdr remux proper repack internal complete multi dual
    x264 x265 h264 h265 hevc avc xvid divx av1 4k uhd dvdrip bdrip brrip 10bit 8bit hi10p hi10 mkv
    mp4 avi nfo sample bit bits season episode part cd dvd5 dvd9 ws dsr pdtv sdtv
    hr end final raw raws hd1080 hd720 sd fs ts""".split()
)
_TECHNICAL = re.compile(
    r"^(?:\d+|\d{3,4}[pi]|s\d+(?:e\d+)*|e\d+|\d+x\d+|[xh]26[45]|\d+bit|v\d|(?:dts|ddp?|aac|ac3)[\d.]*)$",
    _F,
)
_KNOWN_DASHED = {
    g.lower(): g
    for g in "D-Z0N3 VH-PROD FTW-HS DX-TV Blu-bits MTB-Pkg Sic-Sac Pahe-in Fight-BB".split()
}
_PREVIOUS_WORD = re.compile(r"[-. \]](?P<word>[^-. \[\]]{1,30})$")
_EXTRA_TAGS = re.compile(r"^(?:\[[^\[\]]{1,40}\]\s*)+")


@dataclass(slots=True)
class GroupInfo:
    group: str | None
    body: str  # the title without the group (and without a leading fansub tag)
    leading: bool  # the group was a "[Group]" prefix (fansub style)
    crc: bool  # a trailing [ABCDEF12] checksum was present (fansub style)


def _acceptable(word: str) -> bool:
    low = word.lower()
    return bool(_GROUP_SHAPE.match(word)) and low not in _NOT_GROUPS and not _TECHNICAL.match(word)


def _dash_group(text: str) -> tuple[str, int] | None:
    """The "-GROUP" at the end of ``text`` and the index where it starts, if any."""
    dash = text.rfind("-")
    if dash <= 0 or dash == len(text) - 1:
        return None
    word = text[dash + 1 :].strip()
    suffix = _LANGUAGE_SUFFIX.match(word)
    if suffix:
        word = suffix.group("group")
    if not word or " " in word or (word.endswith("]") and not word.startswith("[")):
        return None  # "[HEVC DTSHD-MA-6ch]": the dash is inside a bracket
    word = word.strip("[]")
    if word.lower() in _DOTTED_GROUPS:
        return _DOTTED_GROUPS[word.lower()], dash
    # A group with a dash in its name: "x264-D-Z0N3", "H264.Fight-BB", "x264-Erai-raws"
    m = _PREVIOUS_WORD.search(text, 0, dash)
    if m is not None:
        combined = f"{m.group('word')}-{word}"
        if combined.lower() in _KNOWN_DASHED:
            return _KNOWN_DASHED[combined.lower()], m.start("word") - 1
        if word.lower() == "raws" and _GROUP_SHAPE.match(m.group("word")):
            return combined, m.start("word") - 1
    if not _acceptable(word):
        return None
    return word, dash


def parse_group(text: str) -> GroupInfo:
    crc = False
    m = _CRC.search(text)
    if m:
        crc = True
        text = text[: m.start()].rstrip()

    m = _LEADING.match(text)
    if m:
        word = m.group("group").strip()
        body = _EXTRA_TAGS.sub("", text[m.end() :])  # "[Group]_[F-B]_Show"
        if word and not _TECHNICAL.match(word) and word.lower() not in _NOT_GROUPS:
            return GroupInfo(word, body, True, crc)
        text = body

    m = _PAREN_ENCODERS.search(text)
    if m:
        return GroupInfo(m.group("group"), text, False, crc)

    found = _dash_group(text)
    if found:
        group, start = found
        return GroupInfo(group, text[:start].rstrip(" .-"), False, crc)

    m = _TRAILING_BRACKET.search(text)
    if m:
        word = m.group("group").strip()
        low = word.lower()
        if low in _DOTTED_GROUPS:
            return GroupInfo(_DOTTED_GROUPS[low], text[: m.start()].rstrip(" .-"), False, crc)
        acceptable = all(map(_acceptable, word.split("-"))) and not _TECH_INSIDE.search(word)
        if " " not in word and "." not in word and acceptable:
            return GroupInfo(word, text[: m.start()].rstrip(" .-"), False, crc)
    return GroupInfo(None, text, False, crc)
