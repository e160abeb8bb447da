"""QBittorrent without a daemon: the state mapping, item fields, and hostile or odd
answers replayed with ``responses`` in the shapes qbittorrent-nox 4.5.2 sends."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
import responses

from integrations.downloadclients.base import AddRequest, DownloadStatus, Priority
from integrations.downloadclients.providers.qbittorrent import QBittorrent, QBittorrentSettings
from integrations.downloadclients.providers.qbittorrent.mapping import to_item
from integrations.downloadclients.torrent import magnet_id, torrent_id
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    IntegrationError,
    ProtocolError,
    UnsupportedError,
)
from tests.torrentdata import make_torrent

S = DownloadStatus
BASE = "http://127.0.0.1:8080/api/v2"
PASSWORD = "unit-secret-pw"
HASH = "8f9f71f9706ebf21e50d688503749c707982778c"


def torrent(**fields) -> dict:
    """A torrents/info entry as 4.5.2 sends it (trimmed to the fields we read)."""
    base = {
        "hash": HASH,
        "name": "Show.S01E01.1080p",
        "state": "downloading",
        "progress": 0.5,
        "size": 1000,
        "total_size": 2000,
        "amount_left": 500,
        "dlspeed": 10,
        "upspeed": 2,
        "eta": 50,
        "category": "tv",
        "save_path": "/downloads",
        "content_path": "/downloads/Show.S01E01.1080p",
        "added_on": 1700000000,
        "completion_on": 0,
        "ratio": 0.25,
        "seeding_time": 0,
        "num_seeds": 3,
        "num_leechs": 4,
        "tags": "",
    }
    return base | fields


# -- state mapping: one case per qBittorrent state ------------------------------------------
STATE_CASES = [
    ("error", S.WARNING, "qBittorrent reports an error"),
    ("missingFiles", S.WARNING, "missing files"),
    ("uploading", S.SEEDING, ""),
    ("stalledUP", S.SEEDING, ""),
    ("forcedUP", S.SEEDING, "forced seeding"),
    ("queuedUP", S.SEEDING, "queued for seeding"),
    ("checkingUP", S.CHECKING, "checking files"),
    ("pausedUP", S.COMPLETED, ""),
    ("stoppedUP", S.COMPLETED, ""),
    ("allocating", S.DOWNLOADING, "allocating disk space"),
    ("downloading", S.DOWNLOADING, ""),
    ("metaDL", S.DOWNLOADING, "downloading metadata"),
    ("forcedMetaDL", S.DOWNLOADING, "downloading metadata"),
    ("forcedDL", S.DOWNLOADING, "forced download"),
    ("pausedDL", S.PAUSED, ""),
    ("stoppedDL", S.PAUSED, ""),
    ("queuedDL", S.QUEUED, "queued"),
    ("stalledDL", S.WARNING, "stalled: no connections"),
    ("checkingDL", S.CHECKING, "checking files"),
    ("checkingResumeData", S.CHECKING, "checking resume data"),
    ("moving", S.DOWNLOADING, "moving files"),
    ("unknown", S.UNKNOWN, "unknown state unknown"),
    ("someFutureState", S.UNKNOWN, "unknown state someFutureState"),
]


@pytest.mark.parametrize(
    ("state", "status", "message"), STATE_CASES, ids=[c[0] for c in STATE_CASES]
)
def test_state_maps_to_status_and_message(state, status, message):
    complete = status in (S.SEEDING, S.COMPLETED)
    item = to_item(HASH, torrent(state=state, progress=1.0 if complete else 0.5))
    assert item.status == status
    assert item.message == message
    assert item.raw_state == state


def test_no_state_maps_to_failed():
    assert all(status != S.FAILED for _, status, _ in STATE_CASES)


# -- item fields -------------------------------------------------------------------------------
def test_infinite_eta_becomes_none():
    assert to_item(HASH, torrent(eta=8640000)).eta is None


def test_finite_eta_is_kept():
    assert to_item(HASH, torrent(eta=120)).eta == 120


def test_completed_torrent_whose_content_path_is_the_save_path_is_a_warning():
    item = to_item(
        HASH,
        torrent(state="pausedUP", progress=1.0, save_path="/downloads/", content_path="/downloads"),
    )
    assert item.status == S.WARNING
    assert "content path as the save path" in item.message


def test_seeding_torrent_reports_its_content_path_as_output_path():
    item = to_item(HASH, torrent(state="stalledUP", progress=1.0))
    assert item.status == S.SEEDING
    assert item.output_path == "/downloads/Show.S01E01.1080p"


def test_item_fields_come_from_the_torrent():
    item = to_item(HASH.upper(), torrent(tags="a, b", completion_on=1700000100))
    assert (item.id, item.title, item.category) == (HASH, "Show.S01E01.1080p", "tv")
    assert (item.size, item.size_left, item.seeds, item.peers) == (1000, 500, 3, 4)
    assert item.added_on == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert item.completed_on == datetime(2023, 11, 14, 22, 15, tzinfo=UTC)
    assert item.tags == ["a", "b"]


def test_size_falls_back_to_total_size_and_never_goes_negative():
    assert to_item(HASH, torrent(size=0, total_size=2000)).size == 2000
    assert to_item(HASH, torrent(size=0, total_size=-1)).size == 0  # magnet without metadata


def test_unfinished_torrent_has_no_completion_time():
    assert to_item(HASH, torrent(completion_on=0)).completed_on is None
    assert to_item(HASH, torrent(completion_on=4294967295)).completed_on is None


def test_field_of_the_wrong_type_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="unexpected type"):
        to_item(HASH, torrent(progress="half"))


# -- infohashes --------------------------------------------------------------------------------
def test_base32_magnet_hash_is_converted_to_hex():
    b32 = base64.b32encode(bytes.fromhex(HASH)).decode()
    assert magnet_id(f"magnet:?xt=urn:btih:{b32}&dn=x") == HASH


def test_hex_magnet_hash_is_lowercased():
    assert magnet_id(f"magnet:?dn=x&xt=urn:btih:{HASH.upper()}") == HASH


def test_magnet_without_btih_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="no BitTorrent info hash"):
        magnet_id("magnet:?dn=nothing&tr=http://127.0.0.1:1/announce")


def test_non_bencoded_torrent_bytes_are_rejected():
    with pytest.raises(ProtocolError, match=r"not a valid \.torrent \(not bencoded\)"):
        torrent_id(b"<html>429 Too Many Requests</html>")


def test_torrent_id_matches_an_independent_implementation(tmp_path):
    data, infohash = make_torrent(tmp_path, seed=b"id")
    assert torrent_id(data) == infohash


# -- HTTP: responses replays -------------------------------------------------------------------
@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def connect(rsps, login_body="Ok.", api="2.8.19") -> QBittorrent:
    rsps.post(f"{BASE}/auth/login", body=login_body, headers={"Set-Cookie": "SID=abc123; path=/"})
    rsps.get(f"{BASE}/app/version", body="v4.5.2")
    rsps.get(f"{BASE}/app/webapiVersion", body=api)
    return QBittorrent(QBittorrentSettings(username="admin", password=PASSWORD))


def calls_to(rsps, path: str) -> int:
    return sum(1 for c in rsps.calls if c.request.url.split("?")[0].endswith(path))


def test_html_instead_of_json_is_a_protocol_error(rsps):
    qb = connect(rsps)
    rsps.get(
        f"{BASE}/torrents/info", body="<html><body>Login</body></html>", content_type="text/html"
    )
    with pytest.raises(ProtocolError, match="an HTML page instead of JSON"):
        qb.get_downloads_full()


def test_truncated_sync_json_is_a_protocol_error_and_restarts_the_sync(rsps):
    qb = connect(rsps)
    rsps.get(f"{BASE}/sync/maindata", json={"rid": 1, "full_update": True, "torrents": {}})
    rsps.get(f"{BASE}/sync/maindata", body='{"rid": 2, "torrents": {"8f9f')
    qb.get_downloads()
    with pytest.raises(ProtocolError, match="invalid JSON"):
        qb.get_downloads()
    assert qb._rid == 0


def test_partial_sync_updates_are_merged_and_removals_dropped(rsps):
    qb = connect(rsps)
    other = "1" * 40
    full = {
        "rid": 1,
        "full_update": True,
        "torrents": {HASH: torrent(), other: torrent(hash=other)},
    }
    rsps.get(f"{BASE}/sync/maindata", json=full)
    rsps.get(f"{BASE}/sync/maindata", json={"rid": 2, "torrents": {HASH: {"state": "pausedDL"}}})
    rsps.get(f"{BASE}/sync/maindata", json={"rid": 3, "torrents_removed": [other]})
    qb.get_downloads()
    assert qb.get_downloads()[0].status == S.PAUSED
    items = qb.get_downloads()
    assert [(i.id, i.status, i.title) for i in items] == [(HASH, S.PAUSED, "Show.S01E01.1080p")]
    assert [c.request.params.get("rid") for c in rsps.calls if "maindata" in c.request.url] == [
        "0",
        "1",
        "2",
    ]


def test_a_later_full_update_replaces_the_state(rsps):
    qb = connect(rsps)
    other = "2" * 40
    rsps.get(
        f"{BASE}/sync/maindata", json={"rid": 1, "full_update": True, "torrents": {HASH: torrent()}}
    )
    rsps.get(
        f"{BASE}/sync/maindata",
        json={"rid": 1, "full_update": True, "torrents": {other: torrent(hash=other)}},
    )
    qb.get_downloads()
    assert [i.id for i in qb.get_downloads()] == [other]


def test_get_downloads_filters_by_category(rsps):
    qb = connect(rsps)
    other = "3" * 40
    torrents = {HASH: torrent(), other: torrent(hash=other, category="movies")}
    rsps.get(f"{BASE}/sync/maindata", json={"rid": 1, "full_update": True, "torrents": torrents})
    assert [i.id for i in qb.get_downloads(category="movies")] == [other]


def test_403_logs_in_again_once_and_retries(rsps):
    qb = connect(rsps)
    rsps.get(f"{BASE}/torrents/info", status=403, body="Forbidden")
    rsps.get(f"{BASE}/torrents/info", json=[torrent()])
    assert [i.id for i in qb.get_downloads_full()] == [HASH]
    assert calls_to(rsps, "/auth/login") == 2


def test_requests_never_carry_referer_or_origin(rsps):
    qb = connect(rsps)
    rsps.get(f"{BASE}/torrents/info", json=[])
    qb.get_downloads_full()
    assert rsps.calls
    assert not [c for c in rsps.calls if {"Referer", "Origin"} & set(c.request.headers)]


def test_fails_login_is_an_authentication_error_without_the_password(rsps):
    qb = connect(rsps, login_body="Fails.")
    with pytest.raises(AuthenticationError) as err:
        qb.get_downloads()
    assert str(err.value) == "qBittorrent rejected the username or password"
    assert PASSWORD not in str(err.value)


def test_banned_ip_is_explained(rsps):
    rsps.post(
        f"{BASE}/auth/login",
        status=403,
        body="Your IP address has been banned after too many failed authentication attempts.",
    )
    qb = QBittorrent(QBittorrentSettings(username="admin", password=PASSWORD))
    result = qb.run_test()
    assert not result.ok
    assert "banned this IP address" in result.message
    assert "1 hour" in result.message
    assert "restart qBittorrent" in result.message


def test_login_answering_html_is_not_qbittorrent(rsps):
    rsps.post(
        f"{BASE}/auth/login", body="<html><title>NAS</title></html>", content_type="text/html"
    )
    qb = QBittorrent(QBittorrentSettings(username="admin", password=PASSWORD))
    with pytest.raises(ProtocolError, match="does not look like qBittorrent's Web API"):
        qb.get_downloads()


# -- add ---------------------------------------------------------------------------------------
def prepare_add(rsps, qb, body="Ok.", status=200, listed=None):
    rsps.get(
        f"{BASE}/torrents/categories", json={"tv-idkarr": {"name": "tv-idkarr", "savePath": ""}}
    )
    rsps.post(f"{BASE}/torrents/add", body=body, status=status)
    if listed is not None:  # what torrents/info answers afterwards
        rsps.get(f"{BASE}/torrents/info", json=listed)


def test_duplicate_add_returns_the_hash_qbittorrent_already_has(rsps):
    qb = connect(rsps)
    prepare_add(rsps, qb, body="Fails.")
    rsps.get(f"{BASE}/torrents/info", json=[torrent()])
    assert qb.add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}")) == HASH


def test_refused_add_of_an_unknown_torrent_is_an_error(rsps):
    qb = connect(rsps)
    prepare_add(rsps, qb, body="Fails.")
    rsps.get(f"{BASE}/torrents/info", json=[])
    with pytest.raises(IntegrationError, match="refused the torrent"):
        qb.add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}"))


def test_415_is_a_protocol_error_naming_the_file(rsps, tmp_path):
    qb = connect(rsps)
    prepare_add(rsps, qb, body="Error: 'x.torrent' is not a valid torrent file.", status=415)
    data, _ = make_torrent(tmp_path)
    with pytest.raises(ProtocolError, match="x.torrent is not a valid torrent file"):
        qb.add(AddRequest(torrent=data, name="x.torrent"))


def test_add_sends_category_options_and_a_missing_category_is_created(rsps, tmp_path):
    qb = QBittorrent(
        QBittorrentSettings(
            username="a", password=PASSWORD, sequential_download=True, content_layout="subfolder"
        )
    )
    connect(rsps)
    data, infohash = make_torrent(tmp_path)
    prepare_add(rsps, qb, listed=[torrent(hash=infohash)])
    rsps.post(f"{BASE}/torrents/createCategory", body="")
    assert (
        qb.add(AddRequest(torrent=data, category="anime", tags=["a", "b"], save_path="/d"))
        == infohash
    )
    sent = next(c.request.body for c in rsps.calls if c.request.url.endswith("/torrents/add"))
    for part in (
        b'name="category"\r\n\r\nanime',
        b'name="tags"\r\n\r\na,b',
        b'name="savepath"\r\n\r\n/d',
        b'name="sequentialDownload"\r\n\r\ntrue',
        b'name="contentLayout"\r\n\r\nSubfolder',
        b'name="paused"\r\n\r\nfalse',
    ):
        assert part in sent
    assert calls_to(rsps, "/torrents/createCategory") == 1


def test_nzb_is_unsupported():
    qb = QBittorrent(QBittorrentSettings())
    with pytest.raises(UnsupportedError, match="cannot download NZB"):
        qb.add(AddRequest(nzb=b"<nzb/>"))


def test_json_add_answer_of_newer_web_api_gives_the_url_hash(rsps):
    qb = connect(rsps, api="2.15.1")
    prepare_add(
        rsps,
        qb,
        body=json.dumps(
            {
                "success_count": 1,
                "failure_count": 0,
                "pending_count": 0,
                "added_torrent_ids": [HASH],
            }
        ),
        listed=[torrent()],
    )
    rsps.post(f"{BASE}/torrents/removeTags", body="")
    rsps.post(f"{BASE}/torrents/deleteTags", body="")
    assert qb.add(AddRequest(url="http://127.0.0.1:9/x.torrent")) == HASH


def test_url_that_never_becomes_a_torrent_is_a_transient_error(rsps, monkeypatch):
    monkeypatch.setattr(
        "integrations.downloadclients.providers.qbittorrent.provider.URL_ADD_TIMEOUT", 0.3
    )
    qb = connect(rsps)
    prepare_add(rsps, qb)
    rsps.get(f"{BASE}/torrents/info", json=[])
    rsps.post(f"{BASE}/torrents/deleteTags", body="")
    with pytest.raises(IntegrationError, match="no torrent from it appeared") as err:
        qb.add(AddRequest(url="http://127.0.0.1:9/x.torrent"))
    assert err.value.permanent is False
    assert calls_to(rsps, "/torrents/deleteTags") == 1


# -- verbs -------------------------------------------------------------------------------------
def test_priority_with_queueing_disabled_is_unsupported(rsps):
    qb = connect(rsps)
    rsps.post(f"{BASE}/torrents/topPrio", status=409, body="Torrent queueing must be enabled")
    with pytest.raises(UnsupportedError, match="enable it to use priorities"):
        qb.set_priority(HASH, Priority.TOP)


def test_normal_priority_sends_nothing(rsps):
    qb = connect(rsps)
    qb.set_priority(HASH, Priority.NORMAL)
    assert not [c for c in rsps.calls if "Prio" in c.request.url]


def test_pause_falls_back_to_stop_on_qbittorrent_5(rsps):
    qb = connect(rsps, api="2.11.2")
    rsps.post(f"{BASE}/torrents/pause", status=404, body="Not Found")
    rsps.post(f"{BASE}/torrents/stop", body="")
    qb.pause(HASH)
    qb.pause(HASH)
    assert (calls_to(rsps, "/torrents/pause"), calls_to(rsps, "/torrents/stop")) == (1, 2)


def test_editing_a_returned_item_does_not_change_the_next_poll(rsps):
    qb = connect(rsps)
    rsps.get(
        f"{BASE}/sync/maindata", json={"rid": 1, "full_update": True, "torrents": {HASH: torrent()}}
    )
    rsps.get(f"{BASE}/sync/maindata", json={"rid": 2})
    item = qb.get_downloads()[0]
    item.output_path = "/mapped/by/caller"
    item.tags.append("x")
    again = qb.get_downloads()[0]
    assert (again.output_path, again.tags) == ("/downloads/Show.S01E01.1080p", [])


# -- test() ------------------------------------------------------------------------------------
def prepare_test(rsps, connection_status="connected"):
    qb = connect(rsps)
    rsps.get(
        f"{BASE}/torrents/categories", json={"tv-idkarr": {"name": "tv-idkarr", "savePath": ""}}
    )
    rsps.get(f"{BASE}/transfer/info", json={"connection_status": connection_status})
    return qb


def test_test_reports_missing_categories_without_failing(rsps):
    result = prepare_test(rsps).run_test()
    assert result.ok
    assert result.message == "Connected to qBittorrent 4.5.2 (Web API 2.8.19)"
    assert result.details["missing_categories"] == ["movies-idkarr"]
    assert result.details["categories"] == ["tv-idkarr"]


def test_disconnected_qbittorrent_is_degraded(rsps):
    health = prepare_test(rsps, connection_status="disconnected").health()
    assert health.status == "degraded"
    assert "no network connection" in health.message


def test_category_name_qbittorrent_would_reject_fails_the_test(rsps):
    qb = prepare_test(rsps)
    qb.settings = qb.settings.model_copy(update={"movie_category": "movies//hd"})
    result = qb.run_test()
    assert not result.ok
    assert "'movies//hd' is not a valid qBittorrent category name" in result.message
