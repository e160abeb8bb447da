"""Normalising a raw release title before parsing: file extension, website prefixes,
tracker tags and re-poster suffixes are cut off; underscores become spaces."""

from __future__ import annotations

import re
from dataclasses import dataclass

_F = re.IGNORECASE | re.ASCII

_EXTENSION = re.compile(
    r"\.(?P<ext>mkv|mp4|m4v|avi|wmv|mov|mpg|mpeg|flv|webm|m2ts|iso|img|vob|divx|nzb|torrent"
    r"|par2|rar|srt|ass|nfo)$",
    _F,
)
# "[ www.Site.com ] - ", "www.Site.org - ", "[Site.to] "
_TLD = r"(?:com|org|net|to|re|info|cc|me|tv|io|xyz|ws|ru|co|eu|se|nl|lol|biz|club|vip|pw|li)"
_WEBSITE_PREFIX = re.compile(
    r"^(?:\[\s*(?:www\.)?[-a-z0-9]+(?:\.[-a-z0-9]+)*\." + _TLD + r"\s*\]"
    r"|www\.[-a-z0-9]+(?:\.[-a-z0-9]+)*\.[a-z]{2,6}\b)[\s.-]*",
    _F,
)
# Tracker tags appended by torrent sites: "[rartv]", "[eztv.re]", "[TGx]".
_TRACKER_TAG = re.compile(
    r"(?<![\s.-])(?:[\s.-]*\[\s*(?:ettv|rartv|rarbg|cttv|publichd|eztv(?:x)?(?:\.[a-z]{2,4})?|TGx|ion10|"
    r"PRiME|PRiMEHD|ettv\.\w+|[-a-z0-9]+\." + _TLD + r")\s*\])+$",
    _F,
)
# Suffixes added by re-posters and obfuscating indexers after the real group name.
_REPOST_SUFFIX = re.compile(
    r"-(?:RP|1|NZBGeek|Obfuscated|Obfuscation|Scrambled|sample|Pre|postbot|xpost|Rakuv[a-z0-9]*"
    r"|WhiteRev|BUYMORE|AsRequested|AlternativeToRequested|GEROV|Z0iDS3N|Chamele0n|4P|4Planet"
    r"|AlteZachen|RePACKPOST)$",
    _F,
)
# Usenet subjects: [01/20] - "Show.S01E01.720p.HDTV.x264-GRP.mkv" yEnc (1/50)
_USENET_SUBJECT = re.compile(r'"(?P<name>[^"]{4,300})"')
_WHITESPACE = re.compile(r"\s+")


@dataclass(slots=True)
class Cleaned:
    text: str
    extension: str | None


def clean(title: str) -> Cleaned:
    text = title.strip()
    if "yenc" in text.lower() or text.startswith("["):
        m = _USENET_SUBJECT.search(text)
        if m and "." in m.group("name"):
            text = m.group("name").strip()
    text = text.replace("_", " ")
    text = _WHITESPACE.sub(" ", text).strip()
    extension = None
    for _ in range(3):  # "x264-GRP-Obfuscated.mkv[rartv]": peel until nothing changes
        before = text
        m = _EXTENSION.search(text)
        if m:
            extension = extension or m.group("ext").lower()
            text = text[: m.start()]
        text = _TRACKER_TAG.sub("", text)
        text = _REPOST_SUFFIX.sub("", text).rstrip(" .")
        if text == before:
            break
    text = _WEBSITE_PREFIX.sub("", text)
    return Cleaned(text=text.strip(), extension=extension)
