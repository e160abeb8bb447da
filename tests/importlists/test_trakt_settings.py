"""Trakt: the settings model (descriptions, secrets, what a list needs) and the
provider's class facts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from importlists.providers.trakt import TraktList, TraktSettings
from integrations.errors import ConfigurationError

APP = {"client_id": "app-id"}


def test_kind_is_trakt():
    assert (TraktList.kind, TraktList.label) == ("trakt", "Trakt")


def test_minimum_refresh_is_twelve_hours():
    assert TraktList.min_refresh_minutes == 720


def test_trakt_is_a_registered_import_list():
    from importlists.registry import registry

    assert registry.get("trakt") is TraktList


def test_empty_api_url_means_trakts_own():
    provider = TraktList(TraktSettings(**APP, list_type="popular"))

    assert provider.url("/shows/popular") == "https://api.trakt.tv/shows/popular"


def test_every_setting_is_described():
    undescribed = [name for name, f in TraktSettings.model_fields.items() if not f.description]
    assert undescribed == []


def test_sign_in_fields_say_they_are_not_typed_in():
    fields = TraktSettings.model_fields
    described = [
        fields[name].description for name in ("access_token", "refresh_token", "expires_at")
    ]

    assert all("not typed in" in text for text in described)


def test_client_and_tokens_are_the_secrets():
    assert set(TraktSettings.secret_fields()) == {
        "client_id",
        "client_secret",
        "access_token",
        "refresh_token",
    }


def test_list_type_is_required():
    with pytest.raises(ValidationError, match="list_type"):
        TraktSettings(**APP)


def test_custom_list_without_slug_is_refused():
    with pytest.raises(ValidationError, match="slug"):
        TraktSettings(**APP, list_type="custom", username="alice")


def test_custom_list_with_slug_and_username_is_accepted():
    settings = TraktSettings(**APP, list_type="custom", username="alice", list_slug="sci-fi")

    assert settings.list_slug == "sci-fi"


@pytest.mark.parametrize("list_type", ["watchlist", "collection", "watched"])
def test_an_own_list_may_be_saved_before_signing_in(list_type):
    assert TraktSettings(**APP, list_type=list_type).access_token is None


@pytest.mark.parametrize("list_type", ["watchlist", "collection", "watched", "recommended"])
def test_reading_an_own_list_before_signing_in_says_to_sign_in(list_type):
    provider = TraktList(TraktSettings(**APP, list_type=list_type))
    with pytest.raises(ConfigurationError, match="of your own needs a sign-in"):
        provider.fetch()


def test_an_own_list_not_signed_in_fails_its_test_with_the_reason():
    provider = TraktList(TraktSettings(**APP, list_type="custom", list_slug="sci-fi"))
    result = provider.run_test()
    assert (result.ok, result.message.startswith("A Trakt custom list of your own")) == (
        False,
        True,
    )


def test_watchlist_of_a_public_profile_needs_no_token():
    settings = TraktSettings(**APP, list_type="watchlist", username="alice")

    assert settings.access_token is None


def test_watchlist_of_the_signed_in_user_needs_no_username():
    settings = TraktSettings(**APP, list_type="watchlist", access_token="tok")

    assert settings.username == ""


@pytest.mark.parametrize("list_type", ["trending", "popular", "anticipated"])
def test_public_list_needs_neither_token_nor_username(list_type):
    assert TraktSettings(**APP, list_type=list_type).list_type == list_type


def test_blank_client_id_is_refused():
    with pytest.raises(ValidationError, match="client id"):
        TraktSettings(client_id="  ", list_type="popular")


def test_blank_token_counts_as_unset():
    settings = TraktSettings(**APP, list_type="popular", access_token=" ", refresh_token="")

    assert (settings.access_token, settings.refresh_token) == (None, None)


def test_a_blank_token_is_no_sign_in():
    provider = TraktList(TraktSettings(**APP, list_type="watchlist", access_token="   "))
    with pytest.raises(ConfigurationError, match="needs a sign-in"):
        provider.fetch()


@pytest.mark.parametrize("limit", [0, 1001])
def test_limit_outside_1_to_1000_is_refused(limit):
    with pytest.raises(ValidationError, match="limit"):
        TraktSettings(**APP, list_type="popular", limit=limit)


def test_unknown_list_type_is_refused():
    with pytest.raises(ValidationError, match="list_type"):
        TraktSettings(**APP, list_type="favorites")


def test_defaults_are_series_and_100_items():
    settings = TraktSettings(**APP, list_type="popular")

    assert (settings.media_type, settings.limit) == ("series", 100)


def test_expires_at_reads_an_iso_datetime():
    settings = TraktSettings(**APP, list_type="popular", expires_at="2025-06-22T15:06:40+00:00")

    assert settings.expires_at.isoformat() == "2025-06-22T15:06:40+00:00"
