"""Deluge's JSON-RPC session without a daemon: login, the session cookie, attaching the Web
UI to a daemon, versions, and hostile or odd answers, replayed in deluge-web 2.0.3's shapes."""
# ruff: noqa: F811 (test parameters are the fixtures imported from deluge_fixtures)

from __future__ import annotations

import pytest
import requests

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    NotFoundError,
    ProtocolError,
    RequestTimedOut,
    UnsupportedError,
)
from tests.downloadclients.deluge_fixtures import (
    HASH,
    UNKNOWN,
    URL,
    Err,
    FakeWeb,
    Seq,
    provider,
    rsps,  # noqa: F401 (fixture)
)


def test_html_login_page_of_a_proxy_is_not_mistaken_for_deluge(rsps):
    rsps.post(URL, body="<html><title>Sign in</title></html>", content_type="text/html")
    with pytest.raises(ProtocolError, match="does not look like Deluge's Web UI") as err:
        provider().test()
    assert "an HTML page" in str(err.value)


def test_404_is_not_found_naming_the_url_base(rsps):
    rsps.post(URL, status=404, body="No Such Resource")
    with pytest.raises(NotFoundError, match="check the port and the URL base"):
        provider().test()


def test_truncated_json_is_a_protocol_error(rsps):
    rsps.post(URL, body='{"result": tr', content_type="application/json")
    with pytest.raises(ProtocolError, match="invalid JSON"):
        provider().test()


def test_json_that_is_not_a_json_rpc_answer_is_a_protocol_error(rsps):
    rsps.post(URL, json={"status": "ok"})
    with pytest.raises(ProtocolError, match="JSON without a result or an error"):
        provider().test()


def test_rejected_password_is_an_authentication_error_without_the_password(rsps):
    FakeWeb(rsps, auth__login=False)
    with pytest.raises(AuthenticationError) as err:
        provider().get_downloads()
    assert str(err.value) == "Deluge rejected the Web UI password"


def test_missing_password_says_what_deluge_defaults_to(rsps):
    FakeWeb(rsps, auth__login=False)
    with pytest.raises(AuthenticationError, match="Deluge's default is 'deluge'"):
        provider(password=None).get_downloads()


def test_session_cookie_is_sent_whatever_path_deluge_scoped_it_to(rsps):
    web = FakeWeb(rsps)
    provider().get_downloads()
    assert web.calls[-1][2] == "_session_id=0123abcd4242"


def test_not_authenticated_logs_in_again_once_and_retries(rsps):
    web = FakeWeb(rsps, core__get_torrents_status=Seq(Err(1, "Not authenticated"), {}))
    assert provider().get_downloads() == []
    assert web.methods().count("auth.login") == 2


def test_not_authenticated_right_after_login_is_an_authentication_error(rsps):
    FakeWeb(rsps, core__get_torrents_status=Err(1, "Not authenticated"))
    with pytest.raises(AuthenticationError, match="right after a successful login"):
        provider().get_downloads()


def test_detached_web_ui_is_attached_preferring_a_local_daemon(rsps):
    web = FakeWeb(
        rsps,
        web__connected=Seq(False, True),
        web__get_hosts=[["far", "10.0.0.5", 58846, "u"], ["near", "127.0.0.1", 58846, "u"]],
        web__connect=[],
    )
    provider().get_downloads()
    assert web.params("web.connect") == [["near"]]


def test_web_ui_without_daemons_is_a_configuration_error(rsps):
    FakeWeb(rsps, web__connected=False, web__get_hosts=[])
    with pytest.raises(ConfigurationError, match="no daemon in its Connection Manager"):
        provider().test()


def test_online_daemon_that_refuses_the_web_ui_suggests_its_credentials(rsps):
    FakeWeb(
        rsps,
        web__connected=False,
        web__connect=None,
        web__get_host_status=["h1", "Online", "2.0.3"],
    )
    with pytest.raises(ConnectionFailed, match=r"127.0.0.1:58846 \(wrong daemon credentials\?\)"):
        provider().test()


def test_unknown_method_after_a_web_ui_restart_reattaches_and_retries(rsps):
    web = FakeWeb(
        rsps,
        web__connected=Seq(True, True, False, True),
        web__connect=[],
        core__get_torrents_status=Seq(UNKNOWN, {}),
    )
    assert provider().get_downloads() == []
    assert web.methods().count("web.connect") == 1
    assert web.methods().count("core.get_torrents_status") == 2


def test_old_deluge_is_unsupported_naming_the_minimum(rsps):
    FakeWeb(rsps, daemon__get_version=UNKNOWN, daemon__info="1.3.15")
    with pytest.raises(UnsupportedError) as err:
        provider().get_downloads()
    assert str(err.value) == "Deluge 1.3.15 is too old; idkarr needs Deluge 2.0 or newer"


def test_call_that_times_out_blames_the_daemon_and_rechecks_the_attachment(rsps):
    web = FakeWeb(rsps, core__get_torrents_status=Seq(requests.exceptions.ReadTimeout(), {}))
    dg = provider()
    dg._api()
    with pytest.raises(RequestTimedOut, match="holds calls while the Deluge daemon is unreachable"):
        dg._api().torrents({}, ["name"])
    before = web.methods().count("web.connected")
    dg._api().torrents({}, ["name"])
    assert web.methods().count("web.connected") == before + 1


def test_web_ui_that_lost_its_daemon_is_a_transient_connection_failure(rsps):
    lost = Err(3, "AttributeError: 'NoneType' object has no attribute 'send_request'")
    FakeWeb(rsps, core__pause_torrents=lost)
    with pytest.raises(ConnectionFailed, match="lost its connection to the Deluge daemon") as err:
        provider().pause(HASH)
    assert err.value.permanent is False


def test_unreadable_request_is_a_protocol_error(rsps):
    FakeWeb(rsps, core__get_torrents_status=Err(5, "JSONException: JSON not decodable"))
    with pytest.raises(ProtocolError, match="could not read the request: JSON not decodable"):
        provider().get_downloads()
