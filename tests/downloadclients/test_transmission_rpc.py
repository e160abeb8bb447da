"""Transmission against a scripted local HTTP server: the session-id dance, auth and
lockout handling, answers that are not Transmission's, version checks, and what
each verb sends. Replies are in the shapes transmission-daemon 3.00 sends."""

from __future__ import annotations

import base64

import pytest

from integrations.downloadclients.base import AddRequest, Priority
from integrations.downloadclients.providers.transmission import Transmission
from integrations.downloadclients.providers.transmission import client as rpc_client
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)
from tests.httpserver import RecordingServer, Reply
from tests.torrentdata import make_torrent

PASSWORD = "unit-secret-pw"
HASH = "8f9f71f9706ebf21e50d688503749c707982778c"
SID_HEADER = "X-Transmission-Session-Id"
REALM = {"WWW-Authenticate": 'Basic realm="Transmission"'}


def ok(arguments: dict | None = None) -> Reply:
    return Reply(200, {"arguments": arguments or {}, "result": "success"})


def failed(result: str) -> Reply:
    return Reply(200, {"arguments": {}, "result": result})


def session(rpc: int = 16, version: str = "3.00 (bb6b5a062e)") -> Reply:
    return ok(
        {"version": version, "rpc-version": rpc, "rpc-version-minimum": 1, "download-dir": "/dl"}
    )


def conflict(sid: str = "sid-1") -> Reply:
    body = "<h1>409: Conflict</h1><p>Your request had an invalid session-id header.</p>"
    return Reply(409, body, {SID_HEADER: sid, "Content-Type": "text/html"})


def added(key: str = "torrent-added", torrent_hash: str = HASH) -> Reply:
    return ok({key: {"hashString": torrent_hash, "id": 1, "name": "labfile.bin"}})


@pytest.fixture
def srv():
    with RecordingServer() as server:
        yield server


def provider(srv: RecordingServer, **overrides) -> Transmission:
    values = {"port": srv.port, "username": "admin", "password": PASSWORD} | overrides
    return Transmission(Transmission.Settings(**values))


def connected(srv: RecordingServer, rpc: int = 16) -> Transmission:
    """A provider that has done the 409 dance and session-get."""
    srv.script([conflict(), session(rpc)])
    tr = provider(srv)
    tr._rpc()
    srv.requests.clear()
    return tr


def sent(srv: RecordingServer) -> list[tuple[str, dict]]:
    return [(r.json()["method"], r.json()["arguments"]) for r in srv.requests]


# -- the session-id dance --------------------------------------------------------------------
def test_first_call_fetches_the_session_id_and_resends_with_it(srv):
    srv.script([conflict("abc"), session(), ok({"torrents": []})])
    assert provider(srv).get_downloads() == []
    assert SID_HEADER not in srv.requests[0].headers
    assert [r.headers[SID_HEADER] for r in srv.requests[1:]] == ["abc", "abc"]
    assert srv.requests[0].path == "/transmission/rpc"


def test_a_later_409_refreshes_the_session_id_and_rereads_the_session(srv):
    tr = connected(srv)
    srv.script([conflict("restarted"), ok({"torrents": []}), session()])
    tr.get_downloads()
    assert [m for m, _ in sent(srv)] == ["torrent-get", "torrent-get", "session-get"]
    assert srv.requests[-1].headers[SID_HEADER] == "restarted"


def test_409_twice_in_a_row_is_a_protocol_error(srv):
    srv.script([conflict("a"), conflict("b")])
    with pytest.raises(ProtocolError, match="refused the session id"):
        provider(srv).test()


def test_409_without_a_session_id_is_not_transmission(srv):
    srv.script([Reply(409, "Conflict")])
    with pytest.raises(ProtocolError, match="does not look like Transmission's RPC"):
        provider(srv).test()


# -- auth ------------------------------------------------------------------------------------
def test_credentials_are_sent_as_utf8_basic_auth(srv):
    srv.script([session(), ok({"torrents": []})])
    provider(srv, password="pässwörd").test()
    expected = base64.b64encode("admin:pässwörd".encode()).decode()
    assert srv.requests[0].headers["Authorization"] == f"Basic {expected}"


def test_401_is_a_wrong_password_and_nothing_is_sent_for_a_while(srv):
    body = "<h1>401: Unauthorized</h1><p>Unauthorized User. 3 unsuccessful login attempts.</p>"
    srv.script([Reply(401, body, REALM)])
    tr = provider(srv)
    result = tr.run_test()
    with pytest.raises(AuthenticationError):
        tr.get_downloads()
    assert not result.ok
    assert result.details["code"] == "authentication_failed"
    assert "rejected the username or password (3 failed attempts so far" in result.message
    assert "locks out all logins after 100" in result.message
    assert len(srv.requests) == 1


def test_after_the_pause_a_401_client_tries_again(srv, monkeypatch):
    monkeypatch.setattr(rpc_client, "AUTH_RETRY_SECONDS", 0.0)
    srv.script([Reply(401, "Unauthorized", REALM), session(), ok({"torrents": []})])
    tr = provider(srv)
    assert not tr.run_test().ok
    assert tr.run_test().ok


def test_401_from_a_proxy_realm_says_a_proxy_wants_its_own_login(srv):
    srv.script([Reply(401, "<html>Sign in</html>", {"WWW-Authenticate": 'Basic realm="NAS"'})])
    with pytest.raises(AuthenticationError, match="asks for a login of its own"):
        provider(srv).test()


def test_lockout_after_100_failures_says_to_restart_transmission(srv):
    body = (
        "<h1>403: Forbidden</h1><p>Too many unsuccessful login attempts. "
        "Please restart transmission-daemon.</p>"
    )
    srv.script([Reply(403, body)])
    with pytest.raises(AuthenticationError, match="restart transmission-daemon"):
        provider(srv).test()


def test_ip_whitelist_refusal_names_rpc_whitelist(srv):
    body = (
        "<h1>403: Forbidden</h1><p>Unauthorized IP Address.</p>"
        "<p>Either disable the IP address whitelist or add your address to it.</p>"
    )
    srv.script([Reply(403, body)])
    with pytest.raises(AuthenticationError, match="rpc-whitelist"):
        provider(srv).test()


def test_host_header_refusal_names_rpc_host_whitelist(srv):
    srv.script([Reply(421, "<h1>421: Misdirected Request</h1>")])
    with pytest.raises(ConfigurationError, match="rpc-host-whitelist"):
        provider(srv).test()


# -- not Transmission ------------------------------------------------------------------------
def test_html_login_page_of_a_proxy_is_not_transmission(srv):
    page = "<!DOCTYPE html><html><title>Authelia</title><form>Sign in</form></html>"
    srv.script([Reply(200, page, {"Content-Type": "text/html"})])
    with pytest.raises(ProtocolError) as err:
        provider(srv).test()
    assert "does not look like Transmission's RPC (it answered an HTML page)" in str(err.value)
    assert "default URL base is /transmission/" in str(err.value)


def test_404_is_not_found_naming_the_url_base(srv):
    srv.script([Reply(404, "<h1>404: Not Found</h1>")])
    with pytest.raises(NotFoundError, match="check the host, port and URL base"):
        provider(srv, url_base="/torrents/").test()
    assert srv.requests[0].path == "/torrents/rpc"


def test_redirect_to_the_web_interface_is_a_wrong_url_base(srv):
    srv.script([Reply(301, "", {"Location": "/transmission/web/"})])
    with pytest.raises(ProtocolError, match="redirects to its web interface") as err:
        provider(srv, url_base="/").test()
    assert "default URL base is /transmission/" in str(err.value)


def test_get_download_of_an_id_that_is_not_an_infohash_is_none(srv):
    assert provider(srv).get_download("SABnzbd_nzo_x") is None
    assert srv.requests == []


def test_truncated_json_is_a_protocol_error(srv):
    tr = connected(srv)
    srv.script(
        [
            Reply(
                200,
                '{"arguments":{"torrents":[{"hashString":"8f9f',
                {"Content-Type": "application/json"},
            )
        ]
    )
    with pytest.raises(ProtocolError, match="Transmission returned invalid JSON"):
        tr.get_downloads()


def test_json_without_a_result_is_not_transmission(srv):
    srv.script([Reply(200, {"jsonrpc": "2.0", "result": {"version": "1"}})])
    with pytest.raises(ProtocolError, match="answered JSON without a result"):
        provider(srv).test()


def test_https_to_a_plain_http_port_says_transmission_speaks_http(srv):
    with pytest.raises(ConnectionFailed, match="RPC speaks plain HTTP") as err:
        provider(srv, use_ssl=True).test()
    assert err.value.permanent is True


def test_a_result_other_than_success_is_an_error_with_its_text(srv):
    tr = connected(srv)
    srv.script([ok({"torrents": [{"hashString": HASH}]}), failed("torrent not running")])
    with pytest.raises(
        IntegrationError, match="Transmission refused torrent-stop: torrent not running"
    ):
        tr.pause(HASH)


# -- versions and test() ---------------------------------------------------------------------
def test_rpc_version_below_14_is_unsupported_naming_the_minimum(srv):
    srv.script([session(rpc=13, version="2.33 (12345)")])
    with pytest.raises(UnsupportedError) as err:
        provider(srv).get_downloads()
    assert str(err.value) == (
        "Transmission 2.33 (RPC version 13) is too old; idkarr needs RPC version 14 or newer "
        "(Transmission 2.40 or newer)"
    )


def test_rpc_version_14_is_accepted(srv):
    srv.script([session(rpc=14, version="2.40 (13000)"), ok({"torrents": []})])
    assert provider(srv).run_test().message == "Connected to Transmission 2.40 (RPC version 14)"


def test_test_reports_version_rpc_and_category_directories(srv):
    srv.script([session(), ok({"torrents": [{"hashString": HASH}]})])
    result = provider(srv).run_test()
    assert result.ok, result.message
    assert result.message == "Connected to Transmission 3.00 (RPC version 16)"
    assert result.details["build"] == "3.00 (bb6b5a062e)"
    assert result.details["torrents"] == 1
    assert result.details["category_dirs"] == {
        "tv-idkarr": "/dl/tv-idkarr",
        "movies-idkarr": "/dl/movies-idkarr",
    }


def test_a_category_that_cannot_be_a_directory_fails_the_test(srv):
    srv.script([session()])
    result = provider(srv, movie_category="movies/hd").run_test()
    assert not result.ok
    assert "'movies/hd' is not a valid Transmission category" in result.message


def test_a_relative_download_directory_fails_the_test(srv):
    srv.script([session()])
    result = provider(srv, directory="downloads/tv").run_test()
    assert not result.ok
    assert "must be an absolute path on the Transmission host" in result.message


# -- add -------------------------------------------------------------------------------------
def test_add_sends_base64_metainfo_into_the_category_directory(srv, tmp_path):
    data, infohash = make_torrent(tmp_path)
    tr = connected(srv)
    srv.script([session(), added(torrent_hash=infohash), ok()])
    assert tr.add(AddRequest(torrent=data, category="tv", priority=Priority.HIGH)) == infohash
    method, arguments = sent(srv)[1]
    assert method == "torrent-add"
    assert base64.b64decode(arguments["metainfo"]) == data
    assert arguments["download-dir"] == "/dl/tv"
    assert (arguments["paused"], arguments["bandwidthPriority"]) == (False, 1)
    assert "labels" not in arguments  # RPC 16 ignores labels in torrent-add
    assert sent(srv)[2] == ("torrent-set", {"ids": [infohash], "labels": ["tv"]})


def test_add_on_rpc_17_sends_labels_with_torrent_add(srv):
    tr = connected(srv, rpc=17)
    srv.script([session(rpc=17, version="4.0.5 (a6fe2a64aa)"), added()])
    tr.add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}", category="tv", tags=["hd"]))
    assert [m for m, _ in sent(srv)] == ["session-get", "torrent-add"]
    assert sent(srv)[1][1]["labels"] == ["tv", "hd"]


def test_tags_before_rpc_16_are_unsupported_and_nothing_is_added(srv):
    tr = connected(srv, rpc=15)
    srv.script([session(rpc=15, version="2.94 (d8e60ee44f)")])
    with pytest.raises(UnsupportedError, match="tags need Transmission 3.00"):
        tr.add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}", tags=["hd"]))
    assert [m for m, _ in sent(srv)] == ["session-get"]


def test_add_without_tags_before_rpc_16_sets_no_labels(srv):
    tr = connected(srv, rpc=15)
    srv.script([session(rpc=15), added()])
    tr.add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}", category="tv"))
    assert [m for m, _ in sent(srv)] == ["session-get", "torrent-add"]


def test_torrent_duplicate_returns_the_existing_hash_and_changes_nothing(srv):
    tr = connected(srv)
    srv.script([session(), added("torrent-duplicate")])
    magnet = f"magnet:?xt=urn:btih:{HASH}"
    assert tr.add(AddRequest(magnet=magnet, category="tv", priority=Priority.TOP)) == HASH
    assert [m for m, _ in sent(srv)] == ["session-get", "torrent-add"]


def test_duplicate_torrent_error_before_rpc_15_returns_the_hash(srv):
    tr = connected(srv, rpc=14)
    srv.script([session(rpc=14), failed("duplicate torrent")])
    assert tr.add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH.upper()}")) == HASH


def test_top_priority_moves_the_new_torrent_to_the_queue_head(srv):
    tr = connected(srv)
    srv.script([session(), added(), ok()])
    tr.add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}", category="", priority=Priority.TOP))
    assert sent(srv)[2] == ("queue-move-top", {"ids": [HASH]})
    assert "bandwidthPriority" not in sent(srv)[1][1]


def test_add_paused_setting_adds_stopped(srv):
    srv.script([conflict(), session(), added()])
    provider(srv, add_paused=True).add(
        AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}", category="")
    )
    assert sent(srv)[-1][1]["paused"] is True


def test_magnet_without_btih_is_refused_before_anything_is_sent(srv):
    with pytest.raises(ConfigurationError, match="to Transmission: magnet link has no BitTorrent"):
        provider(srv).add(AddRequest(magnet="magnet:?dn=no-hash"))
    assert srv.requests == []


def test_torrent_bytes_that_are_not_bencoded_are_refused_before_anything_is_sent(srv):
    with pytest.raises(ProtocolError, match=r"to Transmission: not a valid \.torrent"):
        provider(srv).add(AddRequest(torrent=b"<html>429 Too Many Requests</html>"))
    assert srv.requests == []


def test_a_file_url_is_refused_so_transmission_reads_no_local_file(srv):
    with pytest.raises(ConfigurationError, match="only http"):
        provider(srv).add(AddRequest(url="/etc/passwd"))
    assert srv.requests == []


def test_nzb_is_unsupported():
    with pytest.raises(UnsupportedError, match="cannot download NZB"):
        Transmission(Transmission.Settings()).add(AddRequest(nzb=b"<nzb/>"))


def test_invalid_torrent_answer_names_the_file(srv, tmp_path):
    data, _ = make_torrent(tmp_path)
    tr = connected(srv)
    srv.script([session(), failed("invalid or corrupt torrent file")])
    with pytest.raises(ProtocolError, match="x.torrent is not a valid torrent file"):
        tr.add(AddRequest(torrent=data, name="x.torrent"))


@pytest.mark.parametrize(
    ("answer", "permanent"), [("404: Not Found", True), ("0: No Response", False)]
)
def test_url_transmission_could_not_fetch_is_an_error(srv, answer, permanent):
    tr = connected(srv)
    srv.script([session(), failed(f"gotMetadataFromURL: http error {answer}")])
    with pytest.raises(
        IntegrationError, match="could not download the torrent from the URL"
    ) as err:
        tr.add(AddRequest(url="http://127.0.0.1:9/x.torrent?apikey=k"))
    assert err.value.permanent is permanent
    assert "apikey" not in str(err.value)


# -- verbs -----------------------------------------------------------------------------------
def test_verbs_on_a_hash_transmission_does_not_have_are_not_found(srv):
    tr = connected(srv)
    srv.script([ok({"torrents": []})])
    with pytest.raises(NotFoundError, match=f"Transmission has no torrent {HASH}"):
        tr.resume(HASH)
    assert [m for m, _ in sent(srv)] == ["torrent-get"]


def test_an_id_that_is_not_an_infohash_is_not_found_without_asking(srv):
    tr = connected(srv)
    with pytest.raises(NotFoundError, match="40-character info hashes"):
        tr.remove("recently-active")
    assert srv.requests == []


def test_remove_sends_delete_local_data(srv):
    tr = connected(srv)
    srv.script([ok()])
    tr.remove(HASH.upper(), delete_data=True)
    assert sent(srv) == [("torrent-remove", {"ids": [HASH], "delete-local-data": True})]


@pytest.mark.parametrize(
    ("priority", "call"),
    [
        (Priority.HIGH, ("torrent-set", {"ids": [HASH], "bandwidthPriority": 1})),
        (Priority.NORMAL, ("torrent-set", {"ids": [HASH], "bandwidthPriority": 0})),
        (Priority.LOW, ("torrent-set", {"ids": [HASH], "bandwidthPriority": -1})),
        (Priority.TOP, ("queue-move-top", {"ids": [HASH]})),
        (Priority.BOTTOM, ("queue-move-bottom", {"ids": [HASH]})),
    ],
)
def test_set_priority_sends(srv, priority, call):
    tr = connected(srv)
    srv.script([ok({"torrents": [{"hashString": HASH}]}), ok()])
    tr.set_priority(HASH, priority)
    assert sent(srv)[1] == call


def test_set_category_moves_the_data_and_swaps_the_category_label(srv):
    tr = connected(srv)
    listed = {"hashString": HASH, "downloadDir": "/dl/tv", "labels": ["tv", "hd"]}
    srv.script([ok({"torrents": [listed]}), ok(), ok()])
    tr.set_category(HASH, "anime")
    assert sent(srv)[1:] == [
        ("torrent-set-location", {"ids": [HASH], "location": "/dl/anime", "move": True}),
        ("torrent-set", {"ids": [HASH], "labels": ["anime", "hd"]}),
    ]


def test_set_category_to_a_directory_transmission_refuses_is_a_configuration_error(srv):
    tr = connected(srv)
    listed = {"hashString": HASH, "downloadDir": "/dl/tv", "labels": []}
    srv.script([ok({"torrents": [listed]}), failed("new location path is not absolute")])
    with pytest.raises(ConfigurationError, match="refused to move the torrent"):
        tr.set_category(HASH, "anime")


def test_password_never_appears_in_errors(srv):
    srv.script([Reply(401, f"<p>{PASSWORD}?</p>", REALM), Reply(500, PASSWORD)])
    messages = [provider(srv).run_test().message, provider(srv).run_test().message]
    unreachable = Transmission(Transmission.Settings(port=1, username="a", password=PASSWORD))
    messages.append(unreachable.run_test().message)
    assert len(messages) == 3 and all(messages)
    assert not [m for m in messages if PASSWORD in m]
