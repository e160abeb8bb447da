"""NZBGet's JSON-RPC transport and test(), replayed with ``responses``: wrong credentials,
pages that are not NZBGet, truncated JSON, faults, old versions, and the health checks."""

from __future__ import annotations

import pytest

from integrations.downloadclients.base import AddRequest
from integrations.errors import (
    AuthenticationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)
from tests.downloadclients import nzbget_fixtures as fx
from tests.downloadclients.nzbget_fixtures import (
    NZB,
    PASSWORD,
    FakeRpc,
    Fault,
    Raw,
    config,
    provider,
)

# The fixture this module uses.
rsps = fx.rsps


def test_401_is_wrong_username_or_password(rsps):
    FakeRpc(rsps, version=Raw(401, ""))
    with pytest.raises(AuthenticationError) as err:
        provider().get_downloads()
    assert "rejected the username or password" in str(err.value)
    assert "ControlUsername and ControlPassword" in str(err.value)
    assert PASSWORD not in str(err.value)


def test_proxy_login_page_instead_of_json_is_not_nzbget(rsps):
    FakeRpc(rsps, version=Raw(200, "<html><title>Sign in</title></html>", "text/html"))
    with pytest.raises(ProtocolError) as err:
        provider().get_downloads()
    assert "does not look like NZBGet's JSON-RPC API" in str(err.value)
    assert "an HTML page" in str(err.value)
    assert "check the host, port and URL base" in str(err.value)


def test_404_is_not_found_naming_the_url_base(rsps):
    FakeRpc(rsps, url="http://127.0.0.1:6789/nzb/jsonrpc", version=Raw(404, "Not Found"))
    with pytest.raises(NotFoundError, match="check the host, port and URL base"):
        provider(url_base="/nzb").test()


def test_truncated_json_is_a_protocol_error(rsps):
    FakeRpc(
        rsps, listgroups=Raw(200, '{"version": "1.1", "result": [{"NZBID": 1', "application/json")
    )
    with pytest.raises(ProtocolError, match="invalid or unexpected JSON"):
        provider().get_downloads()


def test_json_without_result_or_error_is_not_nzbget(rsps):
    FakeRpc(rsps, version=Raw(200, '{"status": "ok"}', "application/json"))
    with pytest.raises(ProtocolError, match="does not look like NZBGet"):
        provider().test()


def test_add_only_user_is_told_to_use_the_control_user(rsps):
    FakeRpc(rsps, listgroups=Fault(401, "Access denied"))
    with pytest.raises(AuthenticationError) as err:
        provider(username="adder").get_downloads()
    assert str(err.value) == (
        "NZBGet user 'adder' may not call listgroups (Access denied); it is probably "
        "NZBGet's add-only user (AddUsername): use the ControlUsername"
    )


def test_unknown_method_is_unsupported_naming_the_minimum_version(rsps):
    FakeRpc(rsps, listgroups=Fault(1, "Invalid procedure"))
    with pytest.raises(
        UnsupportedError, match="does not know the method listgroups; idkarr needs NZBGet 21.0"
    ):
        provider().get_downloads()


def test_json_rpc_fault_names_the_method_and_nzbgets_reason(rsps):
    FakeRpc(rsps, append=Fault(2, "Invalid parameter (DupeMode)"))
    with pytest.raises(ProtocolError) as err:
        provider().add(AddRequest(nzb=NZB))
    assert (
        str(err.value) == "NZBGet rejected append: Invalid parameter (DupeMode) (JSON-RPC error 2)"
    )


def test_nzbget_20_is_too_old_naming_the_minimum(rsps):
    FakeRpc(rsps, version="20.0")
    result = provider().run_test()
    assert not result.ok
    assert result.message == "NZBGet 20.0 is too old; idkarr needs NZBGet 21.0 or newer"
    assert result.details["code"] == "unsupported"


def test_unreadable_version_is_a_protocol_error(rsps):
    FakeRpc(rsps, version="banana")
    with pytest.raises(ProtocolError, match="unreadable version 'banana'"):
        provider().get_downloads()


def test_testing_build_version_is_accepted(rsps):
    FakeRpc(
        rsps,
        version="21.1-testing-r2220",
        config=config(),
        status={"NewsServers": [{"ID": 1, "Active": True}]},
    )
    result = provider().run_test()
    assert result.ok
    assert result.message == "Connected to NZBGet 21.1-testing-r2220 (JSON-RPC)"


def test_requests_are_utf8_json_without_unicode_escapes(rsps):
    # NZBGet 21 decodes \uXXXX escapes wrongly (ï arrives as ü); raw UTF-8 arrives intact.
    rpc = FakeRpc(rsps, append=5)
    provider().add(AddRequest(nzb=NZB, name="Ünïcode ✓ Show"))
    body = next(b for b in rpc.bodies if b'"append"' in b)
    assert "Ünïcode ✓ Show.nzb".encode() in body
    assert b"\\u" not in body


# -- test() --------------------------------------------------------------------------------------
ACTIVE = {"DownloadPaused": False, "NewsServers": [{"ID": 1, "Active": True}]}


def test_test_names_version_and_api(rsps):
    FakeRpc(rsps, config=config(), status=ACTIVE | {"FreeDiskSpaceHi": 1, "FreeDiskSpaceLo": 0})
    health = provider().health()
    assert (health.status, health.message) == ("healthy", "Connected to NZBGet 21.0 (JSON-RPC)")
    assert health.details["free_disk_space"] == 2**32
    assert health.details["news_servers"] == 1


def test_keep_history_zero_fails_the_test(rsps):
    FakeRpc(rsps, config=config(KeepHistory="0"), status=ACTIVE)
    result = provider().run_test()
    assert not result.ok
    assert result.message.startswith("NZBGet's KeepHistory is '0': finished downloads leave")
    assert result.details["code"] == "configuration_error"


def test_missing_categories_are_named_and_degrade_the_health(rsps):
    FakeRpc(rsps, config=config(), status=ACTIVE)
    health = provider(movie_category="films", anime_category="anime").health()
    assert health.status == "degraded"
    assert health.details["missing_categories"] == ["films", "anime"]
    assert "categories films, anime do not exist in NZBGet, which cannot create" in health.message


def test_categories_match_case_insensitively_like_nzbget(rsps):
    FakeRpc(rsps, config=config(**{"Category1.Name": "TV-IDKARR"}), status=ACTIVE)
    assert "missing_categories" not in provider().run_test().details


def test_unmeasurable_free_disk_space_is_none(rsps):
    unknown = {"FreeDiskSpaceHi": 4294967295, "FreeDiskSpaceLo": 4294967295}
    FakeRpc(rsps, config=config(), status=ACTIVE | unknown)
    assert provider().run_test().details["free_disk_space"] is None


def test_no_active_news_server_degrades_the_health(rsps):
    FakeRpc(rsps, config=config(), status={"NewsServers": [{"ID": 1, "Active": False}]})
    health = provider().health()
    assert health.status == "degraded"
    assert "no active news server" in health.message


def test_paused_download_queue_degrades_the_health(rsps):
    FakeRpc(rsps, config=config(), status=ACTIVE | {"DownloadPaused": True})
    health = provider().health()
    assert health.status == "degraded"
    assert "NZBGet has paused all downloads" in health.message


def test_requests_ask_nzbget_to_close_the_connection():
    from integrations.downloadclients.providers.nzbget.client import NZBGetApi

    api = NZBGetApi("http://127.0.0.1:1", "u", None)
    assert api.http.session.headers["Connection"] == "close"
