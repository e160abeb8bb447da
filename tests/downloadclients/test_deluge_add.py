"""Deluge adds, labels and verbs without a daemon, replayed in deluge-web 2.0.3's shapes."""
# ruff: noqa: F811 (test parameters are the fixtures imported from deluge_fixtures)

from __future__ import annotations

import base64
import json

import pytest

from integrations.downloadclients.base import AddRequest, Priority
from integrations.errors import (
    ConfigurationError,
    ConnectionFailed,
    IntegrationError,
    ProtocolError,
    UnsupportedError,
)
from tests.downloadclients.deluge_fixtures import (
    HASH,
    UNKNOWN,
    Err,
    FakeWeb,
    Seq,
    failure,
    provider,
    rsps,  # noqa: F401 (fixture)
    torrent,
)
from tests.torrentdata import make_torrent


# -- add ---------------------------------------------------------------------------------------
def test_duplicate_add_returns_the_hash_deluge_names_and_leaves_the_label(rsps):
    web = FakeWeb(
        rsps,
        core__add_torrent_magnet=failure(
            "AddTorrentError", f"Torrent already in session ({HASH})."
        ),
    )
    assert provider().add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}")) == HASH
    assert "label.set_torrent" not in web.methods()


def test_torrent_being_added_already_counts_as_added(rsps):
    FakeWeb(
        rsps,
        core__add_torrent_url=failure("AddTorrentError", f"Torrent already being added ({HASH})."),
    )
    assert provider().add(AddRequest(url="http://127.0.0.1:9/x.torrent")) == HASH


def test_add_sends_base64_file_options_and_label(rsps, tmp_path):
    web = FakeWeb(rsps, core__add_torrent_file=HASH.upper())
    data, infohash = make_torrent(tmp_path)
    dg = provider(sequential_download=True, completed_directory="/done")
    result = dg.add(AddRequest(torrent=data, name="x.torrent", save_path="/d", category="anime"))
    assert result == HASH
    filename, b64, options = web.params("core.add_torrent_file")[0]
    assert (filename, json.dumps(b64)) == (
        "x.torrent",
        json.dumps(base64.b64encode(data).decode()),
    )
    assert options == {
        "add_paused": False,
        "download_location": "/d",
        "move_completed": True,
        "move_completed_path": "/done",
        "sequential_download": True,
    }
    assert web.params("label.add") == [["anime"]]
    assert web.params("label.set_torrent") == [[HASH, "anime"]]


def test_magnet_given_as_url_is_added_as_a_magnet(rsps):
    web = FakeWeb(rsps, core__add_torrent_magnet=HASH)
    provider().add(AddRequest(url=f"magnet:?xt=urn:btih:{HASH}"))
    assert web.params("core.add_torrent_magnet")[0][0] == f"magnet:?xt=urn:btih:{HASH}"


def test_empty_category_adds_without_a_label(rsps):
    web = FakeWeb(rsps, core__add_torrent_magnet=HASH)
    provider().add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}", category=""))
    assert "label.set_torrent" not in web.methods()


def test_filedump_deluge_cannot_decode_is_a_protocol_error_naming_the_file(rsps, tmp_path):
    reason = "Unable to add torrent, decoding filedump failed: bad"
    FakeWeb(rsps, core__add_torrent_file=failure("AddTorrentError", reason))
    data, _ = make_torrent(tmp_path)
    with pytest.raises(ProtocolError, match="Deluge says x.torrent is not a valid torrent file"):
        provider().add(AddRequest(torrent=data, name="x.torrent"))


def test_magnet_deluge_rejects_is_a_configuration_error_without_its_trackers(rsps):
    magnet = f"magnet:?xt=urn:btih:{HASH}&tr=http://t.example/a?passkey=pk1"
    reason = f"Unable to add magnet, invalid magnet info: {magnet}"
    FakeWeb(rsps, core__add_torrent_magnet=failure("AddTorrentError", reason))
    with pytest.raises(ConfigurationError, match="Deluge rejected the magnet link") as err:
        provider().add(AddRequest(magnet=magnet))
    assert "pk1" not in str(err.value)


def test_add_without_an_id_in_the_answer_is_an_error(rsps):
    FakeWeb(rsps, core__add_torrent_magnet=None)
    with pytest.raises(IntegrationError, match="reported no id"):
        provider().add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}"))


def test_bytes_that_are_not_bencoded_are_rejected_before_sending(rsps):
    web = FakeWeb(rsps)
    with pytest.raises(
        ProtocolError, match=r"Cannot send x.torrent to Deluge: not a valid \.torrent"
    ):
        provider().add(AddRequest(torrent=b"<html>429</html>", name="x.torrent"))
    assert web.calls == []


def test_magnet_without_btih_is_rejected_before_sending(rsps):
    web = FakeWeb(rsps)
    with pytest.raises(
        ConfigurationError, match="Cannot send the magnet link to Deluge: .*no BitTorrent info hash"
    ):
        provider().add(AddRequest(magnet="magnet:?dn=nothing"))
    assert web.calls == []


def test_nzb_is_unsupported():
    with pytest.raises(UnsupportedError, match="cannot download NZB"):
        provider().add(AddRequest(nzb=b"<nzb/>"))


def test_tags_are_unsupported():
    with pytest.raises(UnsupportedError, match="Deluge has no tags"):
        provider().add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}", tags=["x"]))


# -- labels ------------------------------------------------------------------------------------
def test_label_deluge_rejects_is_a_configuration_error(rsps):
    FakeWeb(
        rsps,
        label__add=failure("WrappedException", "Invalid label, valid characters:[a-z0-9_-]"),
    )
    with pytest.raises(ConfigurationError, match="Deluge rejected the label 'a.b': Invalid label"):
        provider().set_category(HASH, "a.b")


def test_label_created_meanwhile_by_someone_else_is_fine(rsps):
    web = FakeWeb(rsps, label__add=failure("WrappedException", "Label already exists"))
    provider().set_category(HASH, "new-label")
    assert web.params("label.set_torrent") == [[HASH, "new-label"]]


def test_label_removed_meanwhile_is_created_again(rsps):
    web = FakeWeb(
        rsps,
        label__set_torrent=Seq(failure("WrappedException", "Unknown Label"), None),
        label__get_labels=Seq(["tv-idkarr"], []),
    )
    dg = provider()
    dg.set_category(HASH, "tv-idkarr")
    assert web.params("label.add") == [["tv-idkarr"]]
    assert len(web.params("label.set_torrent")) == 2


def test_label_plugin_methods_that_appear_late_are_waited_for(rsps):
    web = FakeWeb(
        rsps,
        core__get_enabled_plugins=[],
        core__enable_plugin=True,
        label__get_labels=Seq(UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, []),
    )
    result = provider().run_test()
    assert result.ok, result.message
    assert web.params("core.enable_plugin") == [["Label"]]


def test_missing_label_plugin_fails_the_test(rsps):
    FakeWeb(rsps, core__get_enabled_plugins=[], core__get_available_plugins=["Stats"])
    result = provider().run_test()
    assert not result.ok
    assert "enable the Label plugin in Deluge (Preferences → Plugins → Label)" in result.message


def test_invalid_configured_label_fails_the_test_naming_the_rule(rsps):
    FakeWeb(rsps)
    result = provider(movie_category="Movies HD").run_test()
    assert not result.ok
    assert result.message == (
        "'Movies HD' is not a valid Deluge label; use lowercase letters a-z, digits 0-9, "
        "'-', '_' and '.' only"
    )


def test_test_reports_missing_labels_without_failing(rsps):
    FakeWeb(rsps, label__get_labels=["tv-idkarr"])
    result = provider().run_test()
    assert result.ok
    assert result.message == "Connected to Deluge 2.0.3 (libtorrent 2.0.8.0, Web UI JSON-RPC)"
    assert result.details["missing_labels"] == ["movies-idkarr"]
    assert result.details["daemon"] == "127.0.0.1:58846"


def test_no_labels_configured_needs_no_label_plugin(rsps):
    web = FakeWeb(rsps, core__get_enabled_plugins=[])
    assert provider(tv_category="", movie_category="").run_test().ok
    assert not [m for m in web.methods() if "plugin" in m or m.startswith("label.")]


# -- verbs -------------------------------------------------------------------------------------
def test_normal_priority_sends_nothing(rsps):
    web = FakeWeb(rsps)
    provider().set_priority(HASH, Priority.NORMAL)
    assert not [m for m in web.methods() if m.startswith("core.queue")]


@pytest.mark.parametrize(
    ("priority", "method"),
    [
        (Priority.TOP, "core.queue_top"),
        (Priority.HIGH, "core.queue_up"),
        (Priority.LOW, "core.queue_down"),
        (Priority.BOTTOM, "core.queue_bottom"),
    ],
)
def test_priority_moves_in_the_queue(rsps, priority, method):
    web = FakeWeb(rsps, **{method.replace(".", "__"): None})
    provider().set_priority(HASH.upper(), priority)
    assert web.params(method) == [[[HASH]]]


def test_get_downloads_asks_deluge_to_filter_by_label(rsps):
    web = FakeWeb(rsps, core__get_torrents_status={HASH: torrent()})
    assert [i.id for i in provider().get_downloads(category="tv")] == [HASH]
    assert web.params("core.get_torrents_status")[0][0] == {"label": "tv"}


def test_torrent_list_of_the_wrong_shape_is_a_protocol_error(rsps):
    FakeWeb(rsps, core__get_torrents_status=[HASH])
    with pytest.raises(ProtocolError, match="torrent list in an unexpected shape"):
        provider().get_downloads()


def test_lost_daemon_while_adding_a_magnet_stays_a_connection_failure(rsps):
    lost = Err(3, "AttributeError: 'NoneType' object has no attribute 'send_request'")
    FakeWeb(rsps, core__add_torrent_magnet=lost)
    with pytest.raises(ConnectionFailed, match="lost its connection"):
        provider().add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}"))
