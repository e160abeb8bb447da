"""``PlexWatchlistSettings``: what the form accepts, and the token kept secret."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from importlists.providers.plexwatchlist import PlexWatchlistSettings

from .fake_plex_watchlist import TOKEN


def errors_of(**data) -> str:
    with pytest.raises(ValidationError) as info:
        PlexWatchlistSettings(**data)
    return str(info.value)


def test_the_token_is_required():
    assert "auth_token" in errors_of()


def test_a_blank_token_is_refused():
    assert "token is required" in errors_of(auth_token="   ")


def test_a_token_with_a_space_inside_is_refused():
    assert "no spaces" in errors_of(auth_token="abc def")


def test_a_refused_token_is_not_repeated_in_the_error():
    assert "abc\ndef-S3cret" not in errors_of(auth_token="abc\ndef-S3cret")


def test_the_token_is_stripped():
    settings = PlexWatchlistSettings(auth_token=f"  {TOKEN}\n")
    assert settings.auth_token.get_secret_value() == TOKEN


def test_the_token_is_the_only_secret_and_not_in_the_public_settings():
    settings = PlexWatchlistSettings(auth_token=TOKEN)
    assert PlexWatchlistSettings.secret_fields() == ["auth_token"]
    assert TOKEN not in str(settings.public_dict())


def test_media_type_defaults_to_both():
    assert PlexWatchlistSettings(auth_token=TOKEN).media_type == "both"


def test_an_unknown_media_type_is_refused():
    assert "media_type" in errors_of(auth_token=TOKEN, media_type="episodes")


def test_api_url_defaults_to_empty():
    assert PlexWatchlistSettings(auth_token=TOKEN).api_url == ""


def test_api_url_must_be_an_http_address():
    assert "http:// or https://" in errors_of(auth_token=TOKEN, api_url="ftp://plex.example")


def test_api_url_loses_its_trailing_slash():
    settings = PlexWatchlistSettings(auth_token=TOKEN, api_url="https://plex.example/ ")
    assert settings.api_url == "https://plex.example"


def test_every_setting_has_a_description():
    assert [n for n, f in PlexWatchlistSettings.model_fields.items() if not f.description] == []
