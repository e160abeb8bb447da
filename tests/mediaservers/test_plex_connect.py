"""Plex: settings, the connection test, the headers sent, and how failures map to
the error tree (token, HTML, bad JSON, wrong shapes, 5xx, timeouts)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ProtocolError,
    RequestTimedOut,
    ServerError,
)
from integrations.mediaservers.base import Capability, LibraryChange
from integrations.mediaservers.providers.plex import Plex, PlexSettings
from tests.mediaservers.fake_plex import (
    MACHINE_ID,
    TOKEN,
    FakePlex,
    fake_plex,  # noqa: F401 (fixture)
    make_plex,
    plex,  # noqa: F401 (fixture)
    section,
)


# -- settings --------------------------------------------------------------------
def test_default_port_is_32400():
    assert PlexSettings(auth_token=TOKEN).port == 32400


def test_token_is_the_only_secret_setting():
    assert PlexSettings.secret_fields() == ["auth_token"]


def test_every_setting_is_described():
    undescribed = [name for name, f in PlexSettings.model_fields.items() if not f.description]
    assert undescribed == []


def test_blank_token_is_refused():
    with pytest.raises(ValidationError):
        PlexSettings(auth_token="   ")


def test_token_with_spaces_is_refused():
    with pytest.raises(ValidationError):
        PlexSettings(auth_token="two words")


def test_every_media_server_capability_is_declared():
    assert Plex.capabilities == frozenset(Capability)


# -- test() ----------------------------------------------------------------------
def test_test_names_version_and_libraries(plex):
    result = plex.test()

    assert result.ok
    assert result.message == "Plex Media Server 1.40.0.7998 (2 libraries: TV Shows, Movies)"


def test_test_details_carry_version_machine_and_libraries(plex):
    details = plex.test().details

    assert details["version"] == "1.40.0.7998"
    assert details["machine_identifier"] == MACHINE_ID
    assert [(lib["name"], lib["type"]) for lib in details["libraries"]] == [
        ("TV Shows", "tv"),
        ("Movies", "movie"),
    ]


def test_test_reads_identity_then_sections(fake_plex, plex):
    plex.test()

    assert [r.path for r in fake_plex.requests] == ["/identity", "/library/sections"]


def test_test_fails_without_a_tv_or_movie_library(fake_plex, plex):
    fake_plex.sections = [section("4", "artist", "Music", "/data/music")]

    result = plex.test()

    assert not result.ok
    assert "no TV or movie library" in result.message
    assert "add one in Plex" in result.message


def test_test_passes_with_a_movie_library_only(fake_plex, plex):
    fake_plex.sections = [section("1", "movie", "Movies", "/data/movies")]

    assert plex.test().ok


def test_test_fails_when_the_server_has_no_libraries(fake_plex, plex):
    fake_plex.sections = []

    assert not plex.test().ok


# -- headers ---------------------------------------------------------------------
def test_token_travels_in_a_header(fake_plex, plex):
    plex.libraries()

    assert fake_plex.last_request.headers["X-Plex-Token"] == TOKEN


def test_token_never_appears_in_a_url(fake_plex, plex):
    plex.test()
    plex.update_library(LibraryChange(media_type="series", path="/data/tv/Breaking Bad"))
    plex.recently_watched(5)

    assert fake_plex.requests
    assert all(TOKEN not in r.raw_path for r in fake_plex.requests)


def test_client_identifies_itself_and_asks_for_json(fake_plex, plex):
    from idkarr import __version__

    plex.libraries()
    headers = fake_plex.last_request.headers

    assert headers["Accept"] == "application/json"
    assert headers["X-Plex-Client-Identifier"] == "idkarr"
    assert headers["X-Plex-Product"] == "idkarr"
    assert headers["X-Plex-Version"] == __version__


# -- failures --------------------------------------------------------------------
def test_wrong_token_is_an_authentication_error(fake_plex):
    with make_plex(fake_plex, auth_token="wrong-token-123") as provider:
        with pytest.raises(AuthenticationError, match="^Plex refused the token: "):
            provider.libraries()


def test_wrong_token_fails_the_test_without_showing_the_token(fake_plex):
    with make_plex(fake_plex, auth_token="wrong-token-123") as provider:
        result = provider.run_test()

    assert not result.ok
    assert result.details["code"] == "authentication_failed"
    assert "wrong-token-123" not in result.message
    assert TOKEN not in result.message


def test_html_page_with_status_200_is_a_protocol_error(fake_plex, plex):
    fake_plex.fail("html")

    with pytest.raises(ProtocolError, match="HTML page"):
        plex.libraries()


def test_malformed_json_is_a_protocol_error(fake_plex, plex):
    fake_plex.fail("malformed")

    with pytest.raises(ProtocolError, match="invalid JSON"):
        plex.libraries()


def test_answer_without_media_container_is_a_protocol_error(fake_plex, plex):
    fake_plex.replace("/library/sections", {"Directory": []})

    with pytest.raises(ProtocolError, match="MediaContainer"):
        plex.libraries()


def test_media_container_that_is_not_an_object_is_a_protocol_error(fake_plex, plex):
    fake_plex.replace("/library/sections", {"MediaContainer": ["not", "an", "object"]})

    with pytest.raises(ProtocolError, match="MediaContainer"):
        plex.libraries()


def test_json_array_answer_is_a_protocol_error(fake_plex, plex):
    fake_plex.replace("/identity", [1, 2, 3])

    with pytest.raises(ProtocolError):
        plex.test()


def test_directory_that_is_not_a_list_is_a_protocol_error(fake_plex, plex):
    fake_plex.replace("/library/sections", {"MediaContainer": {"size": 1, "Directory": "TV"}})

    with pytest.raises(ProtocolError, match="Directory"):
        plex.libraries()


def test_location_that_is_not_a_list_is_a_protocol_error(fake_plex, plex):
    bad = {**section("2", "show", "TV Shows"), "Location": {"path": "/data/tv"}}
    fake_plex.replace("/library/sections", {"MediaContainer": {"size": 1, "Directory": [bad]}})

    with pytest.raises(ProtocolError, match="Location"):
        plex.libraries()


def test_wrong_typed_entries_are_skipped(fake_plex, plex):
    no_location = {"key": "2", "type": "show", "title": "TV Shows"}
    no_key = {"type": "movie", "title": "Movies", "Location": [{"path": "/data/movies"}]}
    odd_path = {"key": 3, "type": None, "title": "Odd", "Location": ["/x", {"path": 7}, {}]}
    directories = ["junk", 5, None, no_location, no_key, odd_path]
    fake_plex.replace("/library/sections", {"MediaContainer": {"Directory": directories}})

    libraries = plex.libraries()

    assert [(lib.id, lib.name, lib.type, lib.paths) for lib in libraries] == [
        ("2", "TV Shows", "tv", []),
        ("3", "Odd", "other", ["7"]),
    ]


def test_redirect_is_not_followed_with_the_token(fake_plex, plex):
    fake_plex.fail("redirect", path="/library/sections")

    with pytest.raises(ConfigurationError, match="redirected"):
        plex.libraries()
    assert fake_plex.requests_to("/moved") == []


def test_server_error_is_a_server_error(fake_plex, plex):
    fake_plex.fail("500")

    with pytest.raises(ServerError, match="HTTP 500"):
        plex.libraries()


def test_server_that_does_not_answer_in_time_is_a_timeout():
    with FakePlex() as srv:
        srv.fail("hang")
        with make_plex(srv, timeout_seconds=0.2) as provider:
            with pytest.raises(RequestTimedOut):
                provider.libraries()
