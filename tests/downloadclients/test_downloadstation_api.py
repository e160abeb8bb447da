"""Download Station: API discovery, login and session handling, DSM error codes, hostile
answers and ``test()``, against a scripted DSM (``FakeDsm``) replaying fixture payloads."""

from __future__ import annotations

import logging

import pytest
import requests
from pydantic import ValidationError

from integrations.downloadclients.base import Capability, Priority
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)
from tests.downloadclients import downloadstation_fixtures as fx
from tests.downloadclients.downloadstation_fixtures import (
    AUTH,
    FS_LIST,
    PASSWORD,
    TASK,
    DownloadStationSettings,
    error,
    load,
    make_ds,
    sid_of,
)

rsps, dsm, dsm7 = fx.rsps, fx.dsm, fx.dsm7  # fixtures used by this module


# -- discovery -----------------------------------------------------------------------------------
def test_first_request_asks_synology_api_info_for_the_apis_it_uses(dsm):
    make_ds().get_downloads()
    first = dsm.calls[0]
    assert (first.method, first.path, first.api, first.name) == (
        "GET",
        "query.cgi",
        "SYNO.API.Info",
        "query",
    )
    assert set(first.query["query"].split(",")) >= {AUTH, TASK, FS_LIST}
    assert "_sid" not in first.params


def test_api_paths_come_from_the_info_query(dsm7):
    make_ds().get_downloads()
    assert [(c.api, c.path) for c in dsm7.calls[1:3]] == [
        (AUTH, "entry.cgi"),
        (TASK, "DownloadStation/task.cgi"),
    ]


def test_nas_without_download_station_says_to_install_it(dsm):
    dsm.on("SYNO.API.Info", "query", load("info_no_downloadstation"))
    with pytest.raises(ConfigurationError, match="Download Station package is not installed"):
        make_ds().get_downloads()


def test_task_api_without_version_2_is_too_old(dsm):
    dsm.on("SYNO.API.Info", "query", load("info_task_too_old"))
    with pytest.raises(UnsupportedError, match=r"versions 1-1 are not supported.*version 2"):
        make_ds().get_downloads()


def test_task_api_that_dropped_version_2_is_unsupported(dsm):
    dsm.on("SYNO.API.Info", "query", load("info_task_too_new"))
    with pytest.raises(UnsupportedError, match="versions 3-4 are not supported"):
        make_ds().get_downloads()


def test_html_login_page_of_a_proxy_is_not_a_synology_nas(dsm):
    dsm.on("SYNO.API.Info", "query", (200, "<html><body>Sign in to the proxy</body></html>"))
    with pytest.raises(ProtocolError, match="does not look like a Synology NAS.*HTML page"):
        make_ds().get_downloads()


def test_404_at_query_cgi_points_at_the_url_base(dsm):
    dsm.on("SYNO.API.Info", "query", (404, "<html>Not Found</html>"))
    with pytest.raises(NotFoundError, match=r"No Synology Web API at http://127\.0\.0\.1:5000/"):
        make_ds().get_downloads()


def test_json_that_is_not_a_synology_reply_is_a_protocol_error(dsm):
    dsm.on(TASK, "list", {"tasks": []})
    with pytest.raises(ProtocolError, match="not a Synology API reply"):
        make_ds().get_downloads()


def test_truncated_task_list_is_a_protocol_error(dsm):
    dsm.on(TASK, "list", (200, '{"data": {"offset": 0, "tasks": [{"id": "dbid_1', {}))
    with pytest.raises(ProtocolError, match="Download Station returned invalid JSON"):
        make_ds().get_downloads()


def test_failure_without_an_error_code_is_a_protocol_error(dsm):
    dsm.on(TASK, "list", {"success": False})
    with pytest.raises(ProtocolError, match="failure without an error code"):
        make_ds().get_downloads()


def test_plain_http_to_the_https_port_says_to_turn_on_https(dsm):
    body = "<html><center>The plain HTTP request was sent to HTTPS port</center></html>"
    dsm.on("SYNO.API.Info", "query", (400, body))
    with pytest.raises(ConfigurationError, match=r"expects HTTPS.*5001"):
        make_ds().get_downloads()


def test_redirect_to_https_is_reported_not_followed(dsm):
    dsm.on(
        "SYNO.API.Info",
        "query",
        (301, "", {"Location": "https://127.0.0.1:5001/webapi/query.cgi"}),
    )
    with pytest.raises(ConfigurationError, match="redirected.*https://127.0.0.1:5001"):
        make_ds().get_downloads()
    assert len(dsm.calls) == 1


# -- login and session ---------------------------------------------------------------------------
def test_login_posts_the_credentials_in_the_body_with_session_downloadstation(dsm):
    make_ds().get_downloads()
    login = dsm.of(AUTH, "login")[0]
    assert login.method == "POST" and not login.query
    assert login.form == {
        "api": AUTH,
        "version": "2",
        "method": "login",
        "account": "idkarr",
        "passwd": PASSWORD,
        "session": "DownloadStation",
        "format": "sid",
    }


def test_dsm7_logs_in_with_auth_version_6(dsm7):
    make_ds().get_downloads()
    assert dsm7.of(AUTH, "login")[0].form["version"] == "6"


def test_sid_goes_in_the_query_of_get_calls(dsm):
    make_ds().get_downloads()
    assert dsm.of(TASK, "list")[0].query["_sid"] == sid_of()


AUTH_CASES = [
    (400, "no such account or wrong password"),
    (401, "the account is disabled"),
    (402, "Application Privileges"),
    (403, "use an account without 2-step verification"),
    (404, "the 2-step verification code failed"),
    (406, "enforces 2-step verification"),
    (407, "blocked this IP address"),
    (409, "password has expired"),
    (410, "password must be changed"),
]


@pytest.mark.parametrize(("code", "text"), AUTH_CASES, ids=[str(c[0]) for c in AUTH_CASES])
def test_login_error_code_is_explained(dsm, code, text):
    dsm.on(AUTH, "login", error(code))
    with pytest.raises(AuthenticationError, match=text) as err:
        make_ds().get_downloads()
    assert str(err.value).startswith("Download Station could not log in: ")
    assert f"(DSM error {code})" in str(err.value)


def test_two_step_verification_fails_the_test_with_advice(dsm):
    dsm.on(AUTH, "login", load("auth_error_2fa"))
    result = make_ds().run_test()
    assert not result.ok
    assert "2-step verification" in result.message
    assert result.details["code"] == "authentication_failed"


@pytest.mark.parametrize("code", [105, 106, 107, 119])
def test_session_error_logs_in_again_once_and_retries(dsm, code):
    dsm.on(TASK, "list", error(code), load("task_list"))
    assert len(make_ds().get_downloads()) == 12
    assert len(dsm.of(AUTH, "login")) == 2


def test_session_error_right_after_a_new_login_is_an_authentication_error(dsm):
    dsm.on(TASK, "list", error(105))
    with pytest.raises(AuthenticationError, match="may not use Download Station") as err:
        make_ds().get_downloads()
    assert "(DSM error 105)" in str(err.value)
    assert len(dsm.of(AUTH, "login")) == 2


def test_login_reply_without_a_sid_is_a_protocol_error(dsm):
    dsm.on(AUTH, "login", {"data": {}, "success": True})
    with pytest.raises(ProtocolError, match="without a session id"):
        make_ds().get_downloads()


def test_sid_and_password_never_appear_in_errors_or_logs(dsm, caplog):
    caplog.set_level(logging.DEBUG)
    dsm.on(TASK, "list", requests.ConnectionError("Connection refused"))
    with pytest.raises(ConnectionFailed) as err:
        make_ds().get_downloads()
    assert "task.cgi" in str(err.value)
    for text in (str(err.value), caplog.text):
        assert sid_of() not in text and PASSWORD not in text


def test_close_logs_out_of_the_session(dsm):
    ds = make_ds()
    ds.get_downloads()
    ds.close()
    logout = dsm.of(AUTH, "logout")[0]
    assert (logout.query["session"], logout.query["_sid"]) == ("DownloadStation", sid_of())


# -- test() ----------------------------------------------------------------------------------------
def test_test_reports_version_and_apis(dsm):
    dsm.on(FS_LIST, "getinfo", load("fs_getinfo_categories"))
    result = make_ds().run_test()
    assert result.ok, result.message
    assert result.message == "Connected to Download Station 3.8-3563 (task API v1-3, auth v2)"
    assert result.details["destinations"] == ["downloads/tv-idkarr", "downloads/movies-idkarr"]
    assert result.details["default_destination"] == "downloads"
    assert not result.details.get("degraded")


def test_test_on_dsm7_names_downloadstation2(dsm7):
    dsm7.on(FS_LIST, "getinfo", load("fs_getinfo_categories"))
    result = make_ds().run_test()
    assert "DownloadStation2, auth v6" in result.message


def test_missing_destination_folder_is_degraded(dsm):
    dsm.on(FS_LIST, "getinfo", load("fs_getinfo_one_missing"))
    health = make_ds().health()
    assert health.status == "degraded"
    assert "downloads/movies-idkarr does not exist on the NAS" in health.message
    assert health.details["missing_destinations"] == ["downloads/movies-idkarr"]


def test_test_checks_the_paths_of_the_category_folders(dsm):
    dsm.on(FS_LIST, "getinfo", load("fs_getinfo_categories"))
    make_ds(destination="/media/", tv_destination="video/tv").run_test()
    assert dsm.of(FS_LIST, "getinfo")[0].query["path"] == '["/video/tv", "/media/movies-idkarr"]'


def test_file_station_refusal_leaves_a_note_not_a_failure(dsm):
    dsm.on(FS_LIST, "getinfo", error(407))
    result = make_ds().run_test()
    assert result.ok and not result.details.get("degraded")
    assert "could not check the destination folders" in result.details["note"]


def test_no_destination_anywhere_fails_the_test(dsm):
    dsm.on("SYNO.DownloadStation.Info", "getconfig", load("ds_getconfig_no_default"))
    result = make_ds().run_test()
    assert not result.ok
    assert "no default destination" in result.message


def test_wrong_password_fails_the_test_without_the_password(dsm):
    dsm.on(AUTH, "login", error(400))
    result = make_ds().run_test()
    assert not result.ok
    assert result.message == (
        "Download Station could not log in: no such account or wrong password (DSM error 400)"
    )


# -- settings and capabilities -------------------------------------------------------------------
def test_default_port_is_5000_and_5001_with_https():
    assert DownloadStationSettings().port == 5000
    assert DownloadStationSettings(use_ssl=True).port == 5001
    assert DownloadStationSettings(use_ssl=True, port=443).port == 443


def test_destination_slashes_are_trimmed():
    assert DownloadStationSettings(destination="/downloads/tv/").destination == "downloads/tv"


@pytest.mark.parametrize("folder", ["../etc", "downloads//tv", "downloads\\tv", "a/./b"])
def test_folder_dsm_would_refuse_is_rejected_in_settings(folder):
    with pytest.raises(ValidationError, match="shared folder path"):
        DownloadStationSettings(tv_category=folder)


def test_every_setting_has_a_description():
    assert all(f.description for f in DownloadStationSettings.model_fields.values())


def test_password_is_a_secret_field():
    assert DownloadStationSettings.secret_fields() == ["password"]


def test_capabilities_claim_no_priorities_tags_or_data_removal():
    caps = make_ds().capabilities
    assert {Capability.NZB, Capability.MAGNET, Capability.TORRENT_FILE, Capability.PAUSE} <= caps
    assert not caps & {Capability.PRIORITY, Capability.TAGS, Capability.REMOVE_WITH_DATA}


def test_priority_is_unsupported():
    with pytest.raises(UnsupportedError, match="Download Station has no download priorities"):
        make_ds().set_priority("dbid_1", Priority.TOP)


def test_category_change_is_unsupported():
    with pytest.raises(UnsupportedError, match="Download Station cannot move a task"):
        make_ds().set_category("dbid_1", "movies-idkarr")


def test_method_this_download_station_lacks_is_unsupported(dsm):
    dsm.on(TASK, "list", error(103))
    with pytest.raises(UnsupportedError, match=r"method does not exist.*\(DSM error 103\)"):
        make_ds().get_downloads()


def test_test_asks_for_the_apis_again_on_a_used_connection(dsm):
    dsm.on(FS_LIST, "getinfo", load("fs_getinfo_categories"))
    ds = make_ds()
    ds.run_test()
    ds.run_test()
    assert len(dsm.of("SYNO.API.Info", "query")) == 2
