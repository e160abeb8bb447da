"""Emby provider: where it differs from Jellyfin (auth header, a user's items, product
checks, the /emby prefix), and that the shared verbs work with Emby's numeric ids."""

from __future__ import annotations

import pytest

from integrations.errors import ConfigurationError
from integrations.mediaservers.base import LibraryChange
from integrations.mediaservers.providers.emby import Emby
from integrations.mediaservers.providers.jellyfin import Jellyfin
from tests.httpserver import Reply
from tests.mediaservers.fake_jellyfin import (
    API_KEY,
    FakeJellyfin,
    fake_emby,  # noqa: F401 (a fixture)
    make_emby,
)


def test_emby_is_its_own_kind_with_the_jellyfin_verbs():
    assert (Emby.kind, Emby.label, Emby.family) == ("emby", "Emby", Jellyfin.family)
    assert Emby.capabilities == Jellyfin.capabilities


def test_emby_settings_say_where_emby_creates_keys():
    assert "Advanced → Security" in Emby.Settings.model_fields["api_key"].description


def test_the_key_goes_in_the_x_emby_token_header_only(fake_emby):
    make_emby(fake_emby).libraries()
    headers = fake_emby.last_request.headers
    assert headers["X-Emby-Token"] == API_KEY
    assert headers.get("Authorization") is None
    assert API_KEY not in fake_emby.last_request.raw_path


def test_a_working_emby_server_passes_naming_its_version(fake_emby):
    result = make_emby(fake_emby).test()
    assert result.ok is True
    assert result.message == 'Emby 4.8.11.0 "Home" (3 libraries: Shows, Movies, Home videos)'


def test_an_emby_server_that_says_emby_server_passes(fake_emby):
    fake_emby.system_info["ProductName"] = "Emby Server"
    assert make_emby(fake_emby).test().ok is True


def test_a_wrong_key_fails_saying_where_emby_creates_keys(fake_emby):
    result = make_emby(fake_emby, api_key="0" * 32).test()
    assert result.ok is False
    assert result.message == (
        "Emby refused the API key: create one in Dashboard → Advanced → Security"
    )


def test_a_jellyfin_12_server_refuses_the_emby_kind_naming_the_jellyfin_kind():
    """Jellyfin 12 answers X-Emby-Token with a 401; its public info says what it is."""
    with FakeJellyfin("jellyfin") as jellyfin:
        result = make_emby(jellyfin).test()
    assert result.ok is False
    assert "choose the Jellyfin kind" in result.message
    assert [r.path for r in jellyfin.requests] == ["/System/Info", "/System/Info/Public"]


def test_the_public_info_is_asked_without_the_key():
    with FakeJellyfin("jellyfin") as jellyfin:
        make_emby(jellyfin).test()
    [public] = jellyfin.requests_to("/System/Info/Public")
    assert (
        public.headers.get("X-Emby-Token") is None and public.headers.get("Authorization") is None
    )


def test_a_jellyfin_server_with_legacy_auth_on_is_refused_by_its_product_name():
    with FakeJellyfin("jellyfin", legacy_auth=True) as jellyfin:
        result = make_emby(jellyfin).test()
    assert result.ok is False and "choose the Jellyfin kind" in result.message


def test_a_wrong_key_on_emby_stays_a_key_error_when_the_product_is_unknown(fake_emby):
    result = make_emby(fake_emby, api_key="0" * 32).test()
    assert result.details["code"] == "authentication_failed"


def test_emby_paths_work_under_the_emby_prefix(fake_emby):
    result = make_emby(fake_emby, url_base="/emby").test()
    assert result.ok is True
    assert {r.path for r in fake_emby.requests} == {
        "/emby/System/Info",
        "/emby/Library/VirtualFolders",
    }


def test_recently_watched_reads_the_users_items(fake_emby):
    admin = fake_emby.user_id("admin")
    entries = make_emby(fake_emby).recently_watched()
    request = fake_emby.last_request
    assert request.path == f"/Users/{admin}/Items"
    assert "userId" not in request.query and request.query["Filters"] == ["IsPlayed"]
    assert [e.title for e in entries] == ["Arrival", "Dulcinea"]


def test_recently_watched_of_the_configured_user_reads_that_users_items(fake_emby):
    alice = fake_emby.user_id("alice")
    entries = make_emby(fake_emby, user_id=alice).recently_watched()
    assert fake_emby.last_request.path == f"/Users/{alice}/Items"
    assert [(e.title, e.user) for e in entries] == [("Arrival", alice)]


def test_metadata_of_a_numeric_emby_id(fake_emby):
    arrival = fake_emby.item("Arrival")["Id"]
    meta = make_emby(fake_emby).metadata(arrival)
    assert arrival.isdigit()
    assert (meta.title, meta.tmdb_id, meta.imdb_id) == ("Arrival", 329865, "tt2543164")
    assert meta.poster_url == f"{fake_emby.url}/Items/{arrival}/Images/Primary"


def test_update_library_reports_the_series_folders_to_emby(fake_emby):
    expanse = LibraryChange(
        media_type="series", path="/data/tv/The Expanse (2015)", title="The Expanse",
        year=2015, tvdb_id=280619, update_type="deleted",
    )  # fmt: skip
    make_emby(fake_emby).update_library(expanse)
    assert fake_emby.reported_updates == [
        [
            {"Path": "/tv/The Expanse (2015)", "UpdateType": "Deleted"},
            {"Path": "/data/tv/The Expanse (2015)", "UpdateType": "Deleted"},
        ]
    ]


def test_refresh_item_on_emby_posts_a_full_refresh(fake_emby):
    arrival = fake_emby.item("Arrival")["Id"]
    make_emby(fake_emby).refresh_item(arrival)
    request = fake_emby.last_request
    assert (request.path, request.query["MetadataRefreshMode"]) == (
        f"/Items/{arrival}/Refresh",
        ["FullRefresh"],
    )


def test_a_redirect_does_not_carry_the_emby_token_elsewhere(fake_emby):
    """requests drops Authorization on a cross-host redirect, but not X-Emby-Token."""
    with FakeJellyfin("emby") as elsewhere:
        fake_emby.override("*", Reply(301, headers={"Location": elsewhere.url + "/Users"}))
        with pytest.raises(ConfigurationError, match="redirected"):
            make_emby(fake_emby).users()
        assert elsewhere.requests == []
