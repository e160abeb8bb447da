"""Series/movie title and year, and the words after the title (languages)."""

from __future__ import annotations

import re

_F = re.IGNORECASE | re.ASCII

_YEAR = re.compile(r"(?<![0-9a-z])[(\[]?(?P<year>(?:19|20)\d{2})[)\]]?(?![0-9a-z])", _F)
_TRAILING_YEAR = re.compile(r"(?:^|[\s.(\[])[(\[]?(?P<year>(?:19|20)\d{2})[)\]]?[\s.\-]*$")
# Words that can only belong to the technical part of a name: the title ends before them.
_HARD_TECH = re.compile(
    r"(?<![0-9])(?:360|480|540|576|720|1080|1440|2160)[pi](?![a-z])"
    r"|\b(?:HDTV|PDTV|SDTV|DSR|TVRip|WEB[-. ]?DL|WEBDL|WEB[-. ]?Rip|WEB|Blu[-. ]?Ray|BDRip|BRRip"
    r"|DVDRip|DVD[59R]?|HD[-. ]?DVD|REMUX|[xh][-. ]?26[45]|HEVC|AVC|XviD|DivX|AV1|UHD|4K)\b",
    _F,
)
_SOFT_TECH = re.compile(
    r"\b(?:PROPER|REPACK|RERIP|INTERNAL|iNTERNAL|LIMITED|EXTENDED|UNRATED|UNCUT|REMASTERED"
    r"|THEATRICAL|DIRECTORS[-. ]CUT|IMAX|MULTI|MULTi|DUAL[-. ]AUDIO|SUBBED|DUBBED|HDR(?:10)?"
    r"|10bit|DDP?\d|AAC"
    r"|DTS|TrueHD|Atmos|NF|AMZN|DSNP|HMAX|ATVP)\b",
    re.ASCII,  # case-sensitive: "Proper" or "Limited" in a title are words, not flags
)
_ACRONYM = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]\.){2,}[A-Za-z]?(?![A-Za-z0-9])")
_SEPARATORS = re.compile(r"[\s.]+")
_EDGES = " -.([{,:;"

_LANGUAGES = {
    "multi": "multi",
    "dual": "dual",
    "english": "english",
    "french": "french",
    "truefrench": "french",
    "vff": "french",
    "vfq": "french",
    "vostfr": "french",
    "german": "german",
    "italian": "italian",
    "ita": "italian",
    "spanish": "spanish",
    "castellano": "spanish",
    "latino": "spanish",
    "esp": "spanish",
    "russian": "russian",
    "rus": "russian",
    "japanese": "japanese",
    "korean": "korean",
    "chinese": "chinese",
    "mandarin": "chinese",
    "cantonese": "chinese",
    "dutch": "dutch",
    "flemish": "dutch",
    "swedish": "swedish",
    "danish": "danish",
    "norwegian": "norwegian",
    "finnish": "finnish",
    "nordic": "nordic",
    "polish": "polish",
    "portuguese": "portuguese",
    "hindi": "hindi",
    "tamil": "tamil",
    "telugu": "telugu",
    "turkish": "turkish",
    "hungarian": "hungarian",
    "czech": "czech",
    "greek": "greek",
    "hebrew": "hebrew",
    "arabic": "arabic",
    "thai": "thai",
    "vietnamese": "vietnamese",
    "ukrainian": "ukrainian",
    "romanian": "romanian",
}
_LANGUAGE = re.compile(
    r"\b(?P<word>" + "|".join(sorted(_LANGUAGES, key=len, reverse=True)) + r")\b"
    r"|\b(?P<dual>Dual[-. ]?Audio)\b",
    _F,
)


def clean_title(raw: str) -> str | None:
    """Dots and runs of spaces become single spaces; dotted acronyms (S.H.I.E.L.D.) stay."""
    text = raw.strip(_EDGES)
    if not text:
        return None
    if "." in text:
        acronyms = _ACRONYM.findall(text)
        if acronyms:
            text = _ACRONYM.sub("\0", text)
        text = _SEPARATORS.sub(" ", text)
        for acronym in acronyms:
            text = text.replace("\0", acronym, 1)
    else:
        text = _SEPARATORS.sub(" ", text)
    text = text.strip(" -([{,:;")
    return text or None


def series_title(head: str) -> tuple[str | None, int | None]:
    """Title and year from the text before the episode numbering: "Show.Name.2019." → both."""
    head = head.rstrip(_EDGES)
    m = _TRAILING_YEAR.search(head)
    if m and m.start("year") > 1 and head[: m.start()].strip(_EDGES):
        return clean_title(head[: m.start()]), int(m.group("year"))
    return clean_title(head), None


def movie_title(text: str) -> tuple[str | None, int | None, int]:
    """Title, year and the index where the technical part starts, for a name without
    episode numbering. The year is the last one before the first technical word, so
    "Blade.Runner.2049.2017.1080p" is "Blade Runner 2049" (2017)."""
    hard = _HARD_TECH.search(text)
    limit = hard.start() if hard else len(text)
    year = None
    for m in _YEAR.finditer(text, 0, limit):
        if text[: m.start()].strip(_EDGES):
            year = m
    if year is not None:
        return clean_title(text[: year.start()]), int(year.group("year")), year.end()
    soft = _SOFT_TECH.search(text, 0, limit)
    end = soft.start() if soft and text[: soft.start()].strip(_EDGES) else limit
    return clean_title(text[:end]), None, end


def languages(tail: str) -> tuple[str, ...]:
    found: list[str] = []
    for m in _LANGUAGE.finditer(tail):
        name = "dual" if m.group("dual") else _LANGUAGES[m.group("word").lower()]
        if name not in found:
            found.append(name)
    return tuple(found)
