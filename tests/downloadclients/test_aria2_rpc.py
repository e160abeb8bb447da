"""Aria2 provider against a scripted JSON-RPC endpoint: wire format, bad answers, bad
input and the verbs' decisions (the real daemon is in test_aria2_daemon.py)."""

from __future__ import annotations

import json
import logging

import pytest
import responses

from integrations.downloadclients.base import AddRequest, Capability, Priority
from integrations.downloadclients.providers.aria2 import Aria2, Aria2Settings
from integrations.downloadclients.providers.aria2.client import Aria2Rpc
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    ServerError,
    UnsupportedError,
)
from tests.torrentdata import make_torrent

URL = "http://127.0.0.1:6800/jsonrpc"
SECRET = "s3cret-token-value"
HASH = "8f9f71f9706ebf21e50d688503749c707982778c"


class Fault:
    def __init__(self, message: str, code: int = 1):
        self.error = {"code": code, "message": message}


class FakeAria2:
    """Answers JSON-RPC like aria2 1.36 (faults as HTTP 400) from ``results``."""

    def __init__(self, rsps):
        self.results: dict = {
            "aria2.getVersion": {"version": "1.36.0", "enabledFeatures": ["BitTorrent", "GZip"]},
            "aria2.getGlobalOption": {"dir": "/downloads", "max-concurrent-downloads": "5"},
            "aria2.getGlobalStat": {"numActive": "0", "numWaiting": "0", "numStoppedTotal": "0"},
            "aria2.tellActive": [],
            "aria2.tellWaiting": [],
            "aria2.tellStopped": [],
            "aria2.addUri": "2089b05ecca3d829",
            "aria2.addTorrent": "86e1529903467b4b",
            "aria2.tellStatus": {"status": "active", "infoHash": HASH},
        }
        self.calls: list[tuple[str, list]] = []
        rsps.add_callback(responses.POST, URL, callback=self.handle)

    def answer(self, method, params):
        self.calls.append((method, params))
        result = self.results[method]
        return result(params) if callable(result) else result

    def handle(self, request):
        body = json.loads(request.body)
        if body["method"] == "system.multicall":
            self.calls.append(("system.multicall", body["params"]))
            out = []
            for call in body["params"][0]:
                result = self.answer(call["methodName"], call["params"])
                out.append(result.error if isinstance(result, Fault) else [result])
            result = out
        else:
            result = self.answer(body["method"], body["params"])
        if isinstance(result, Fault):
            reply = {"id": body["id"], "jsonrpc": "2.0", "error": result.error}
            return 400, {"Content-Type": "application/json-rpc"}, json.dumps(reply)
        reply = {"id": body["id"], "jsonrpc": "2.0", "result": result}
        return 200, {"Content-Type": "application/json-rpc"}, json.dumps(reply)

    def methods(self) -> list[str]:
        return [m for m, _ in self.calls]

    def params_of(self, method: str) -> list:
        return next(p for m, p in self.calls if m == method)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def fake(rsps) -> FakeAria2:
    return FakeAria2(rsps)


def provider(**settings) -> Aria2:
    return Aria2(Aria2Settings(**({"secret": SECRET} | settings)))


def active(**fields) -> dict:
    data = {"gid": "86e1529903467b4b", "status": "active", "infoHash": HASH, "dir": "/downloads"}
    return data | {"totalLength": "10", "completedLength": "1", "files": []} | fields


# -- settings and capabilities --------------------------------------------------------------
def test_settings_default_to_aria2s_port_and_json_rpc_path():
    s = Aria2Settings()
    assert (s.port, s.url_base) == (6800, "/jsonrpc")
    assert Aria2Settings.secret_fields() == ["secret"]


def test_every_setting_has_a_description():
    schema = Aria2.describe()["settings_schema"]["properties"]
    undescribed = [name for name, prop in schema.items() if not prop.get("description")]
    assert undescribed == []
    assert "no categories" in schema["tv_category"]["description"]


def test_capabilities_claim_no_categories_and_no_data_removal():
    assert Capability.CATEGORIES not in Aria2.capabilities
    assert Capability.REMOVE_WITH_DATA not in Aria2.capabilities
    assert {Capability.MAGNET, Capability.URL, Capability.QUEUE_ORDER} <= Aria2.capabilities
    assert Aria2.protocol == "multi"


# -- wire format ------------------------------------------------------------------------------
def test_every_call_sends_the_token_first_and_multicall_carries_it_inside(fake):
    provider().get_downloads()
    assert fake.params_of("aria2.getVersion") == [f"token:{SECRET}"]
    multicall = fake.params_of("system.multicall")
    assert len(multicall) == 1  # one nested list, no token of its own
    assert all(c["params"][0] == f"token:{SECRET}" for c in multicall[0])


def test_without_a_secret_no_token_is_sent(fake):
    provider(secret=None).test()
    assert fake.params_of("aria2.getVersion") == []


def test_waiting_and_stopped_lists_are_fetched_in_pages(fake):
    waiting = [{"gid": f"{n:016x}"} for n in range(5)]
    fake.results["aria2.tellWaiting"] = lambda p: waiting[p[-3] : p[-3] + p[-2]]
    api = Aria2Rpc(URL)
    assert [e["gid"] for e in api.list_all(["gid"], page=2)] == [e["gid"] for e in waiting]


def test_answer_with_another_request_id_is_a_protocol_error(rsps):
    rsps.post(URL, json={"id": "999", "jsonrpc": "2.0", "result": {"version": "1.36.0"}})
    with pytest.raises(ProtocolError, match="unexpected shape"):
        provider().test()


# -- not aria2, or a broken answer ----------------------------------------------------------
def test_html_page_of_a_proxy_is_not_mistaken_for_aria2(rsps):
    rsps.post(URL, body="<html><body>Please log in</body></html>", content_type="text/html")
    result = provider().run_test()
    assert not result.ok
    assert "does not look like aria2's JSON-RPC: it answered an HTML page" in result.message
    assert "check the host, port and URL base" in result.message


def test_truncated_json_is_a_protocol_error_naming_aria2(rsps):
    rsps.post(
        URL, body='{"id":"1","jsonrpc":"2.0","result":{"vers', content_type="application/json"
    )
    with pytest.raises(ProtocolError, match="does not look like aria2's JSON-RPC.*truncated"):
        provider().test()


def test_proxy_asking_for_basic_auth_is_an_authentication_error_naming_the_proxy(rsps):
    rsps.post(URL, status=401, body="Authorization Required", headers={"WWW-Authenticate": "Basic"})
    with pytest.raises(AuthenticationError, match="a proxy in front of it"):
        provider().test()


def test_404_page_is_not_found_naming_the_url_base(rsps):
    rsps.post(URL, status=404, body="")
    with pytest.raises(
        NotFoundError, match="an empty body \\(HTTP 404\\); check the host, port and URL base"
    ):
        provider().test()


def test_server_error_is_transient(rsps):
    rsps.post(URL, status=502, body="Bad Gateway")
    with pytest.raises(ServerError) as err:
        provider().test()
    assert err.value.permanent is False


def test_xml_rpc_url_base_fails_the_test_naming_the_fix():
    result = provider(url_base="/rpc").run_test()
    assert not result.ok
    assert "set the URL base to /jsonrpc" in result.message


# -- version and features ----------------------------------------------------------------------
def test_test_names_version_and_api(fake):
    result = provider().run_test()
    assert result.message == "Connected to aria2 1.36.0 (JSON-RPC, BitTorrent enabled)"
    assert result.details["category_directories"] == {
        "tv-idkarr": "/downloads/tv-idkarr",
        "movies-idkarr": "/downloads/movies-idkarr",
    }


def test_old_aria2_is_unsupported_naming_the_minimum(fake):
    fake.results["aria2.getVersion"] = {"version": "1.33.1", "enabledFeatures": ["BitTorrent"]}
    with pytest.raises(
        UnsupportedError, match="aria2 1.33.1 is too old; idkarr needs aria2 1.34.0"
    ):
        provider().test()


def test_unreadable_version_is_a_protocol_error(fake):
    fake.results["aria2.getVersion"] = {"version": "banana"}
    with pytest.raises(ProtocolError, match="unreadable version"):
        provider().test()


def test_build_without_bittorrent_passes_the_test_as_degraded(fake):
    fake.results["aria2.getVersion"] = {"version": "1.36.0", "enabledFeatures": ["GZip"]}
    health = provider().health()
    assert health.status == "degraded"
    assert "no BitTorrent support" in health.message


def test_build_without_bittorrent_refuses_magnets(fake):
    fake.results["aria2.getVersion"] = {"version": "1.36.0", "enabledFeatures": ["GZip"]}
    with pytest.raises(UnsupportedError, match="no BitTorrent support"):
        provider().add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}"))
    assert "aria2.addUri" not in fake.methods()


def test_no_such_method_is_unsupported_naming_the_minimum(fake):
    fake.results["aria2.getGlobalOption"] = Fault("No such method: aria2.getGlobalOption")
    with pytest.raises(UnsupportedError, match="too old \\(idkarr needs aria2 1.34.0"):
        provider().test()


def test_unauthorized_is_an_authentication_error_without_the_secret(fake):
    fake.results["aria2.getVersion"] = Fault("Unauthorized")
    result = provider().run_test()
    assert "rejected the secret token" in result.message
    assert SECRET not in result.message


def test_fault_inside_multicall_raises_its_mapped_error(fake):
    fake.results["aria2.tellStopped"] = Fault("Unauthorized")
    with pytest.raises(AuthenticationError):
        provider().get_downloads()


# -- bad input ---------------------------------------------------------------------------------
def test_nzb_is_unsupported(fake):
    with pytest.raises(UnsupportedError, match="aria2 cannot download NZB files"):
        provider().add(AddRequest(nzb=b"<nzb/>"))


def test_torrent_bytes_that_are_not_bencoded_name_aria2_and_the_cause(fake):
    with pytest.raises(ProtocolError, match="Cannot send x.torrent to aria2: not a valid .torrent"):
        provider().add(AddRequest(torrent=b"<html>login</html>", name="x.torrent"))
    assert "aria2.addTorrent" not in fake.methods()


def test_magnet_without_btih_is_a_configuration_error_naming_aria2(fake):
    with pytest.raises(
        ConfigurationError, match="Cannot send the magnet link to aria2: .*no BitTorrent info hash"
    ):
        provider().add(AddRequest(magnet="magnet:?dn=nothing"))


def test_url_aria2_finds_nothing_in_is_a_configuration_error(fake):
    fake.results["aria2.addUri"] = Fault("No URI to download.")
    with pytest.raises(ConfigurationError, match="aria2 refused the URL: No URI to download."):
        provider().add(AddRequest(url="ftp//nothing"))


def test_option_aria2_rejects_is_a_configuration_error(fake):
    fake.results["aria2.addUri"] = Fault(
        "We encountered a problem while processing the option '--dir'."
    )
    with pytest.raises(ConfigurationError, match="rejected an option of aria2.addUri"):
        provider().add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}"))


def test_category_that_would_leave_the_download_directory_is_refused(fake):
    with pytest.raises(ConfigurationError, match="aria2 cannot use the category '../x'"):
        provider().add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}", category="../x"))
    assert "aria2.addUri" not in fake.methods()


def test_configured_category_aria2_cannot_use_fails_the_test(fake):
    result = provider(movie_category="movies//hd").run_test()
    assert not result.ok
    assert "aria2 cannot use the category 'movies//hd'" in result.message


# -- add options -------------------------------------------------------------------------------
def test_magnet_goes_into_the_tv_subdirectory_by_default(fake):
    assert provider().add(AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH.upper()}")) == HASH
    _, uris, options = fake.params_of("aria2.addUri")
    assert options == {"dir": "/downloads/tv-idkarr", "pause": "false"}


def test_directory_setting_replaces_aria2s_own_directory(fake):
    provider(directory="/data").add(
        AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}", category="anime")
    )
    assert fake.params_of("aria2.addUri")[2]["dir"] == "/data/anime"
    assert "aria2.getGlobalOption" not in fake.methods()


def test_save_path_wins_over_the_category(fake, tmp_path):
    torrent, infohash = make_torrent(tmp_path)
    fake.results["aria2.tellStatus"] = {"status": "active", "infoHash": infohash}
    request = AddRequest(torrent=torrent, category="tv", save_path="/elsewhere", paused=True)
    assert provider().add(request) == infohash
    assert fake.params_of("aria2.addTorrent")[3] == {"dir": "/elsewhere", "pause": "true"}


def test_priority_aria2_cannot_apply_is_logged_and_the_add_still_succeeds(fake, caplog):
    fake.results["aria2.tellActive"] = [active()]
    with caplog.at_level(logging.WARNING):
        download_id = provider().add(
            AddRequest(magnet=f"magnet:?xt=urn:btih:{HASH}", priority=Priority.BOTTOM)
        )
    assert download_id == HASH
    assert "could not set its priority" in caplog.text


# -- verbs -------------------------------------------------------------------------------------
def test_set_category_is_unsupported_saying_aria2_has_no_categories(fake):
    with pytest.raises(UnsupportedError, match="aria2 has no categories"):
        provider().set_category(HASH, "movies")


def test_top_priority_for_an_active_download_moves_nothing(fake):
    fake.results["aria2.tellActive"] = [active()]
    provider().set_priority(HASH, Priority.TOP)
    assert "aria2.changePosition" not in fake.methods()


def test_normal_priority_sends_nothing(fake):
    provider().set_priority(HASH, Priority.NORMAL)
    assert fake.calls == []


def test_remove_with_data_aria2_cannot_reach_refuses_before_removing(fake):
    files = [{"path": "/nonexistent-aria2-host/dl/a.mkv", "completedLength": "5"}]
    fake.results["aria2.tellActive"] = [active(dir="/nonexistent-aria2-host/dl", files=files)]
    with pytest.raises(UnsupportedError, match="cannot delete downloaded files itself"):
        provider().remove(HASH, delete_data=True)
    assert "aria2.remove" not in fake.methods()


def test_resume_of_a_failed_download_says_aria2_cannot_restart_it(fake):
    fake.results["aria2.tellStopped"] = [active(status="error", errorCode="3")]
    with pytest.raises(IntegrationError, match="cannot restart a failed download"):
        provider().resume(HASH)
