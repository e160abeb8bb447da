"""Links leave idkarr without the indexer's key; grab tokens are signed."""

from __future__ import annotations

import pytest
from django.core import signing

from integrations.indexers.base import Protocol, SearchResult
from integrations.indexers.links import (
    BadToken,
    conceal,
    conceal_result,
    grab_token,
    result_from_token,
    reveal,
)

KEY = "a1b2c3d4e5f6"


def _result(**kw) -> SearchResult:
    base = dict(
        indexer_id=7,
        indexer_name="Local",
        guid="guid-1",
        title="Show.S01E01.1080p.WEB-DL.x264-GRP",
        size=1234,
        publish_date=None,
        download_url=f"http://127.0.0.1:9117/dl/x/?jackett_apikey={KEY}&path=abc",
        protocol=Protocol.TORRENT,
    )
    base.update(kw)
    return SearchResult(**base)


def test_conceal_replaces_the_key_with_a_named_placeholder():
    assert conceal(f"http://h/getnzb/1.nzb&i=5&r={KEY}", {"api_key": KEY}) == (
        "http://h/getnzb/1.nzb&i=5&r={secret:api_key}"
    )


def test_conceal_catches_the_url_encoded_form_of_a_key():
    key = "ab+cd/ef=="
    assert "ab%2Bcd%2Fef%3D%3D" not in conceal("http://h/?apikey=ab%2Bcd%2Fef%3D%3D", {"k": key})


def test_reveal_restores_the_key_for_idkarr_own_fetch():
    hidden = conceal(f"http://h/api?t=get&apikey={KEY}", {"api_key": KEY})
    assert reveal(hidden, {"api_key": KEY}) == f"http://h/api?t=get&apikey={KEY}"


def test_conceal_ignores_empty_and_tiny_secrets():
    assert conceal("http://h/?a=1", {"api_key": "", "p": "1"}) == "http://h/?a=1"


def test_conceal_result_hides_the_key_in_download_and_info_links():
    r = conceal_result(_result(info_url=f"http://h/details?apikey={KEY}"), {"api_key": KEY})
    assert KEY not in r.download_url and KEY not in r.info_url


def test_grab_token_round_trips_the_release():
    r = conceal_result(_result(categories=[5040], infohash="ab" * 20), {"api_key": KEY})
    back = result_from_token(grab_token(r))
    assert (back.indexer_id, back.guid, back.download_url, back.categories, back.infohash) == (
        7,
        "guid-1",
        r.download_url,
        [5040],
        "ab" * 20,
    )


def test_grab_token_carries_no_secret():
    r = conceal_result(_result(), {"api_key": KEY})
    token = grab_token(r)
    assert KEY not in signing.loads(token, salt="idkarr.indexers.grab")["u"]


def test_a_tampered_grab_token_is_refused():
    token = grab_token(_result())
    with pytest.raises(BadToken, match="not one idkarr issued"):
        result_from_token(token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB"))


def test_a_token_signed_with_another_salt_is_refused():
    forged = signing.dumps({"i": 7, "g": "x", "t": "x", "u": "http://evil/{secret:api_key}"})
    with pytest.raises(BadToken):
        result_from_token(forged)
