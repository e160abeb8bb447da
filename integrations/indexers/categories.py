"""Newznab/Torznab category numbers, their standard names, and the media-type mapping.

The numbers are the standard tree every Newznab server, Jackett and Prowlarr share
(a parent per thousand, subcategories in its range; site-specific ones are >= 100000).

One deliberate deviation from the seed's table: the seed calls 2070 ``MOVIES_WEBDL``,
but every indexer sends WEB-DL movies as 2080 and uses 2070 for DVD. ``MOVIES_WEBDL``
is therefore 2080 and ``MOVIES_DVD`` 2070; the movie mapping keeps both numbers so
nothing the seed meant to include is lost.
"""

from __future__ import annotations

from enum import IntEnum

CUSTOM_CATEGORY_MIN = 100000


class NEWZNAB(IntEnum):  # noqa: N801 - the seed's constant-table name
    """Standard category numbers (``NEWZNAB.TV == 5000``)."""

    OTHER_ZED = 0
    OTHER_ZED_MISC = 10
    OTHER_ZED_HASHED = 20

    CONSOLE = 1000
    CONSOLE_NDS = 1010
    CONSOLE_PSP = 1020
    CONSOLE_WII = 1030
    CONSOLE_XBOX = 1040
    CONSOLE_XBOX360 = 1050
    CONSOLE_WIIWARE = 1060
    CONSOLE_XBOX360_DLC = 1070
    CONSOLE_PS3 = 1080
    CONSOLE_OTHER = 1090
    CONSOLE_3DS = 1110
    CONSOLE_PSVITA = 1120
    CONSOLE_WIIU = 1130
    CONSOLE_XBOXONE = 1140
    CONSOLE_PS4 = 1180

    MOVIES = 2000
    MOVIES_FOREIGN = 2010
    MOVIES_OTHER = 2020
    MOVIES_SD = 2030
    MOVIES_HD = 2040
    MOVIES_UHD = 2045
    MOVIES_BLURAY = 2050
    MOVIES_3D = 2060
    MOVIES_DVD = 2070
    MOVIES_WEBDL = 2080
    MOVIES_X265 = 2090

    AUDIO = 3000
    AUDIO_MP3 = 3010
    AUDIO_VIDEO = 3020
    AUDIO_AUDIOBOOK = 3030
    AUDIO_LOSSLESS = 3040
    AUDIO_OTHER = 3050
    AUDIO_FOREIGN = 3060

    PC = 4000
    PC_0DAY = 4010
    PC_ISO = 4020
    PC_MAC = 4030
    PC_MOBILE_OTHER = 4040
    PC_GAMES = 4050
    PC_MOBILE_IOS = 4060
    PC_MOBILE_ANDROID = 4070

    TV = 5000
    TV_WEBDL = 5010
    TV_FOREIGN = 5020
    TV_SD = 5030
    TV_HD = 5040
    TV_UHD = 5045
    TV_OTHER = 5050
    TV_SPORT = 5060
    TV_ANIME = 5070
    TV_DOCUMENTARY = 5080
    TV_X265 = 5090

    XXX = 6000
    XXX_DVD = 6010
    XXX_WMV = 6020
    XXX_XVID = 6030
    XXX_X264 = 6040
    XXX_UHD = 6045
    XXX_PACK = 6050
    XXX_IMAGESET = 6060
    XXX_OTHER = 6070
    XXX_SD = 6080
    XXX_WEBDL = 6090

    BOOKS = 7000
    BOOKS_MAGS = 7010
    BOOKS_EBOOK = 7020
    BOOKS_COMICS = 7030
    BOOKS_TECHNICAL = 7040
    BOOKS_OTHER = 7050
    BOOKS_FOREIGN = 7060

    OTHER = 8000
    OTHER_MISC = 8010
    OTHER_HASHED = 8020


# The seed's table, by its names (a plain dict for code that wants one).
NEWZNAB_CATEGORIES: dict[str, int] = {member.name: member.value for member in NEWZNAB}

# id -> display name, as Prowlarr and Jackett spell them ("TV/HD").
STANDARD_CATEGORIES: dict[int, str] = {
    0: "Other",
    10: "Other/Misc",
    20: "Other/Hashed",
    1000: "Console",
    1010: "Console/NDS",
    1020: "Console/PSP",
    1030: "Console/Wii",
    1040: "Console/XBox",
    1050: "Console/XBox 360",
    1060: "Console/Wiiware",
    1070: "Console/XBox 360 DLC",
    1080: "Console/PS3",
    1090: "Console/Other",
    1110: "Console/3DS",
    1120: "Console/PS Vita",
    1130: "Console/WiiU",
    1140: "Console/XBox One",
    1180: "Console/PS4",
    2000: "Movies",
    2010: "Movies/Foreign",
    2020: "Movies/Other",
    2030: "Movies/SD",
    2040: "Movies/HD",
    2045: "Movies/UHD",
    2050: "Movies/BluRay",
    2060: "Movies/3D",
    2070: "Movies/DVD",
    2080: "Movies/WEB-DL",
    2090: "Movies/x265",
    3000: "Audio",
    3010: "Audio/MP3",
    3020: "Audio/Video",
    3030: "Audio/Audiobook",
    3040: "Audio/Lossless",
    3050: "Audio/Other",
    3060: "Audio/Foreign",
    4000: "PC",
    4010: "PC/0day",
    4020: "PC/ISO",
    4030: "PC/Mac",
    4040: "PC/Mobile-Other",
    4050: "PC/Games",
    4060: "PC/Mobile-iOS",
    4070: "PC/Mobile-Android",
    5000: "TV",
    5010: "TV/WEB-DL",
    5020: "TV/Foreign",
    5030: "TV/SD",
    5040: "TV/HD",
    5045: "TV/UHD",
    5050: "TV/Other",
    5060: "TV/Sport",
    5070: "TV/Anime",
    5080: "TV/Documentary",
    5090: "TV/x265",
    6000: "XXX",
    6010: "XXX/DVD",
    6020: "XXX/WMV",
    6030: "XXX/XviD",
    6040: "XXX/x264",
    6045: "XXX/UHD",
    6050: "XXX/Pack",
    6060: "XXX/ImageSet",
    6070: "XXX/Other",
    6080: "XXX/SD",
    6090: "XXX/WEB-DL",
    7000: "Books",
    7010: "Books/Mags",
    7020: "Books/EBook",
    7030: "Books/Comics",
    7040: "Books/Technical",
    7050: "Books/Other",
    7060: "Books/Foreign",
    8000: "Other",
    8010: "Other/Misc",
    8020: "Other/Hashed",
}

# Seed: MEDIA_TYPE_TO_CATEGORIES (MOVIES_DVD added, see the module docstring).
MEDIA_TYPE_TO_CATEGORIES: dict[str, list[int]] = {
    "tv": [NEWZNAB.TV, NEWZNAB.TV_HD, NEWZNAB.TV_SD, NEWZNAB.TV_UHD, NEWZNAB.TV_WEBDL],
    "movie": [
        NEWZNAB.MOVIES,
        NEWZNAB.MOVIES_HD,
        NEWZNAB.MOVIES_SD,
        NEWZNAB.MOVIES_UHD,
        NEWZNAB.MOVIES_BLURAY,
        NEWZNAB.MOVIES_DVD,
        NEWZNAB.MOVIES_WEBDL,
    ],
    "anime": [NEWZNAB.TV_ANIME],
}

_MEDIA_TYPE_ALIASES = {
    "series": "tv",
    "show": "tv",
    "episode": "tv",
    "movies": "movie",
    "film": "movie",
}


def parent_id(category_id: int) -> int | None:
    """The standard parent of a standard subcategory (5040 -> 5000); None for custom ids."""
    if category_id < 0 or category_id >= CUSTOM_CATEGORY_MIN:
        return None
    return category_id - category_id % 1000


def category_name(category_id: int) -> str:
    """Display name of a category: the standard name, ``"TV/5999"`` for an unknown
    number in a standard range, ``"Custom 100123"`` for site categories."""
    category_id = int(category_id)
    name = STANDARD_CATEGORIES.get(category_id)
    if name is not None:
        return name
    if category_id >= CUSTOM_CATEGORY_MIN:
        return f"Custom {category_id}"
    parent = parent_id(category_id)
    if parent is not None and parent in STANDARD_CATEGORIES:
        return f"{STANDARD_CATEGORIES[parent]}/{category_id}"
    return f"Category {category_id}"


def categories_for(media_type: str) -> list[int]:
    """Category numbers to search for a media type (``tv``, ``movie``, ``anime``).

    Raises ValueError for a media type that has no mapping."""
    key = (media_type or "").strip().lower()
    key = _MEDIA_TYPE_ALIASES.get(key, key)
    try:
        return [int(c) for c in MEDIA_TYPE_TO_CATEGORIES[key]]
    except KeyError:
        known = ", ".join(sorted(MEDIA_TYPE_TO_CATEGORIES))
        raise ValueError(
            f"No categories for media type {media_type!r}; use one of {known}"
        ) from None
