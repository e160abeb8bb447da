"""RTorrent's settings (validation, descriptions, secrets, capabilities) and bad input that
is refused before anything reaches rTorrent."""

from __future__ import annotations

import pytest

from integrations.downloadclients.base import AddRequest, Capability
from integrations.downloadclients.providers.rtorrent import RTorrent, RTorrentSettings
from integrations.errors import (
    ConfigurationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)
from tests.httpserver import RecordingServer, Reply
from tests.torrentdata import make_torrent

HASH = "8F9F71F9706EBF21E50D688503749C707982778C"
LOGIN_PAGE = Reply(
    200,
    "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Password</body></html>",
    {"Content-Type": "text/html"},
)


@pytest.fixture
def srv():
    with RecordingServer() as server:
        yield server


# -- settings ----------------------------------------------------------------------------------
def test_defaults_are_scgi_on_port_5000_with_rpc2():
    settings = RTorrentSettings()
    assert (settings.transport, settings.port, settings.url_base) == ("scgi", 5000, "/RPC2")


def test_credentials_with_scgi_are_refused():
    with pytest.raises(ValueError, match="SCGI has no login"):
        RTorrentSettings(username="u", password="p")


def test_tls_with_scgi_is_refused():
    with pytest.raises(ValueError, match="SCGI has no TLS"):
        RTorrentSettings(use_ssl=True)


def test_relative_directory_setting_is_refused():
    with pytest.raises(ValueError, match="tv_directory must be an absolute path"):
        RTorrentSettings(tv_directory="downloads/tv")


def test_every_rtorrent_field_is_described():
    own = set(RTorrentSettings.model_fields) - {
        "remove_completed_downloads",
        "remove_failed_downloads",
    }
    assert not [n for n in own if not RTorrentSettings.model_fields[n].description]


def test_password_is_the_only_secret():
    assert RTorrentSettings.secret_fields() == ["password"]
    schema = RTorrent.describe()["settings_schema"]["properties"]
    assert schema["password"]["writeOnly"] is True


def test_capabilities_claim_no_nzb_tags_or_queue_order():
    assert not {Capability.NZB, Capability.TAGS, Capability.QUEUE_ORDER} & RTorrent.capabilities
    assert {Capability.LABELS, Capability.PRIORITY, Capability.SAVE_PATH} <= RTorrent.capabilities


# -- bad input (refused before anything is sent) -----------------------------------------------
@pytest.fixture
def offline():
    """A provider whose rTorrent would refuse connections: bad input must fail first."""
    from tests.conftest import free_port

    with RTorrent(RTorrentSettings(port=free_port())) as rt:
        yield rt


def test_non_bencoded_torrent_is_a_protocol_error(offline):
    with pytest.raises(ProtocolError) as err:
        offline.add(AddRequest(torrent=b"<html>429 Too Many Requests</html>", name="x.torrent"))
    assert str(err.value) == "rTorrent cannot load x.torrent: not a valid .torrent (not bencoded)"


def test_magnet_without_btih_is_a_configuration_error(offline):
    with pytest.raises(ConfigurationError, match="no BitTorrent info hash"):
        offline.add(AddRequest(magnet="magnet:?dn=nothing"))


def test_nzb_is_unsupported(offline):
    with pytest.raises(
        UnsupportedError, match="rTorrent is a torrent client; it cannot download NZB"
    ):
        offline.add(AddRequest(nzb=b"<nzb/>"))


def test_two_payloads_are_a_configuration_error(offline, tmp_path):
    torrent, _ = make_torrent(tmp_path)
    with pytest.raises(ConfigurationError, match="exactly one"):
        offline.add(AddRequest(torrent=torrent, magnet="magnet:?xt=urn:btih:" + HASH))


def test_relative_save_path_is_a_configuration_error(offline, tmp_path):
    torrent, _ = make_torrent(tmp_path)
    with pytest.raises(ConfigurationError, match="absolute directory, not 'tv'"):
        offline.add(AddRequest(torrent=torrent, save_path="tv"))


def test_category_with_a_control_character_is_a_configuration_error(offline, tmp_path):
    torrent, _ = make_torrent(tmp_path)
    with pytest.raises(ConfigurationError, match="control character"):
        offline.add(AddRequest(torrent=torrent, category="tv\r\nd.erase="))


def test_release_url_answering_html_is_a_protocol_error(offline, srv):
    srv.script([LOGIN_PAGE])
    with pytest.raises(ProtocolError, match=r"did not return a \.torrent file \(not bencoded\)"):
        offline.add(AddRequest(url=f"{srv.url}/get?id=1&apikey=indexer-secret"))


def test_release_url_failure_redacts_its_api_key(offline, srv):
    srv.script([Reply(404, "gone")])
    with pytest.raises(NotFoundError) as err:
        offline.add(AddRequest(url=f"{srv.url}/get?id=1&apikey=indexer-secret"))
    assert "indexer-secret" not in str(err.value)
    assert "apikey=***" in str(err.value)
