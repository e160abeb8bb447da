"""Release links without secrets, and tamper-proof grab tokens.

Indexers put their API key into download links (``…&apikey=KEY``, ``&r=KEY``,
Jackett's ``jackett_apikey=KEY``). Links leave idkarr (API, console, the
``Release`` table) with each secret replaced by ``{secret:<field>}`` and get the
value back only when idkarr itself fetches the file. A grab token is a signed
summary of one result, so a grab needs no server-side search cache and cannot be
pointed at another URL.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, quote_plus

from django.core import signing

from .base import Protocol, SearchResult

SALT = "idkarr.indexers.grab"
TOKEN_MAX_AGE = 7 * 24 * 3600  # seconds


def _placeholder(name: str) -> str:
    return "{secret:" + name + "}"


def _forms(value: str) -> list[str]:
    return list(dict.fromkeys([value, quote(value, safe=""), quote_plus(value)]))


def concealer(secrets: dict[str, str]) -> Callable[[str | None], str]:
    """A function hiding ``secrets`` in a text: each secret's forms (raw, URL-quoted,
    form-quoted) are worked out once, not again for every link of every result."""
    pairs = [
        (form, _placeholder(name))
        for name, value in secrets.items()
        if value and len(value) >= 4
        for form in _forms(value)
    ]

    def conceal_text(text: str | None) -> str:
        text = text or ""
        for form, placeholder in pairs:
            if form in text:
                text = text.replace(form, placeholder)
        return text

    return conceal_text


def conceal(text: str | None, secrets: dict[str, str]) -> str:
    """``text`` with every secret value replaced by ``{secret:<name>}``."""
    return concealer(secrets)(text)


def reveal(text: str | None, secrets: dict[str, str]) -> str:
    text = text or ""
    for name, value in secrets.items():
        text = text.replace(_placeholder(name), quote(value or "", safe=""))
    return text


def conceal_result(result: SearchResult, secrets: dict[str, str]) -> SearchResult:
    if secrets:
        conceal_results([result], secrets)
    return result


def conceal_results(results: list[SearchResult], secrets: dict[str, str]) -> list[SearchResult]:
    """``conceal_result`` for a whole answer, the secrets' forms worked out once."""
    if not secrets or not results:
        return results
    hide = concealer(secrets)
    for result in results:
        # A guid can be a download link too (nZEDb's &r=KEY, or the link itself when an
        # item has no <guid>); hidden the same way it stays a stable identity.
        result.guid = hide(result.guid)
        result.download_url = hide(result.download_url)
        result.info_url = hide(result.info_url)
        if result.magnet_url:
            result.magnet_url = hide(result.magnet_url)
    return results


def grab_token(result: SearchResult) -> str:
    return signing.dumps(
        {
            "i": result.indexer_id,
            "g": result.guid,
            "t": result.title,
            "u": result.download_url,
            "m": result.magnet_url,
            "p": str(result.protocol),
            "s": result.size,
            "c": result.categories,
            "h": result.infohash,
            "r": result.minimum_ratio,  # seeding goals travel with the grab
            "st": result.minimum_seed_time,
        },
        salt=SALT,
        compress=True,
    )


class BadToken(ValueError):
    pass


def result_from_token(token: str) -> SearchResult:
    try:
        data = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise BadToken("This search result is too old to grab; search again") from None
    except signing.BadSignature:
        raise BadToken("The grab token is not one idkarr issued") from None
    return SearchResult(
        indexer_id=data["i"],
        indexer_name="",
        guid=data["g"],
        title=data["t"],
        size=data.get("s") or 0,
        publish_date=None,
        download_url=data.get("u") or "",
        protocol=Protocol(data.get("p") or "torrent"),
        magnet_url=data.get("m"),
        categories=list(data.get("c") or []),
        infohash=data.get("h"),
        minimum_ratio=data.get("r"),
        minimum_seed_time=data.get("st"),
    )
