"""RTorrent without a daemon: the HTTP transport against a scripted XML-RPC web server
(ruTorrent-style /RPC2): auth, faults, HTML login pages, hostile and truncated XML, TLS."""

from __future__ import annotations

import base64

import pytest

from integrations.downloadclients.providers.rtorrent import RTorrent, RTorrentSettings
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    ServerError,
    UnsupportedError,
)
from tests.httpserver import RecordingServer, Reply

PASSWORD = "rt-web-secret-pw"
HASH = "8F9F71F9706EBF21E50D688503749C707982778C"


def answer(value_xml: str) -> Reply:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\r\n<methodResponse>\r\n<params>\r\n'
        f"<param>{value_xml}</param>\r\n</params>\r\n</methodResponse>\r\n"
    )
    return Reply(200, body, {"Content-Type": "text/xml"})


def fault(code: int, text: str) -> Reply:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\r\n<methodResponse>\r\n<fault>\r\n<value><struct>'
        f"<member><name>faultCode</name><value><i4>{code}</i4></value></member>"
        f"<member><name>faultString</name><value><string>{text}</string></value></member>"
        "</struct></value>\r\n</fault>\r\n</methodResponse>\r\n"
    )
    return Reply(200, body, {"Content-Type": "text/xml"})


def s(text: str) -> str:
    return f"<value><string>{text}</string></value>"


VERSIONS = [answer(s("0.9.8")), answer(s("0.13.8")), answer("<value><i4>10</i4></value>")]
LIST_ONE = answer(
    f"<value><array><data><value><array><data>{s(HASH)}</data></array></value></data></array></value>"
)
LOGIN_PAGE = Reply(
    200,
    "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Password</body></html>",
    {"Content-Type": "text/html"},
)


def http_provider(srv: RecordingServer, **overrides) -> RTorrent:
    values = {
        "transport": "http",
        "port": srv.port,
        "username": "rtuser",
        "password": PASSWORD,
    } | overrides
    return RTorrent(RTorrentSettings(**values))


@pytest.fixture
def srv():
    with RecordingServer() as server:
        yield server


def method_of(request) -> str:
    return request.text.split("<methodName>", 1)[1].split("</methodName>", 1)[0]


# -- HTTP transport ----------------------------------------------------------------------------
def test_test_over_http_reports_the_versions(srv, tmp_path):
    srv.script([*VERSIONS, LIST_ONE, answer(s("/downloads"))])
    with http_provider(srv) as rt:
        result = rt.run_test()
    assert result.ok, result.message
    assert result.message == (
        "Connected to rTorrent 0.9.8 (libtorrent 0.13.8, XML-RPC API 10 over HTTP)"
    )
    assert (result.details["downloads"], result.details["api_version"]) == (1, 10)
    assert [method_of(r) for r in srv.requests] == [
        "system.client_version",
        "system.library_version",
        "system.api_version",
        "d.multicall2",
        "directory.default",
    ]


def test_http_requests_post_xml_to_the_url_base_with_basic_auth(srv):
    srv.script(VERSIONS)
    with http_provider(srv, url_base="/rutorrent/RPC2") as rt:
        rt._api()
    first = srv.requests[0]
    assert (first.method, first.path) == ("POST", "/rutorrent/RPC2")
    assert first.headers["Content-Type"] == "text/xml"
    expected = base64.b64encode(f"rtuser:{PASSWORD}".encode()).decode()
    assert first.headers["Authorization"] == f"Basic {expected}"


def test_fault_is_an_error_with_rtorrents_fault_string(srv):
    srv.script([*VERSIONS, fault(-503, 'Command "d.bogus" does not exist.')])
    with http_provider(srv) as rt, pytest.raises(IntegrationError) as err:
        rt.get_downloads()
    assert str(err.value) == (
        'rTorrent refused d.multicall2: Command "d.bogus" does not exist. (fault -503)'
    )


def test_unknown_hash_fault_is_not_found(srv):
    srv.script([*VERSIONS, fault(-501, "Could not find info-hash.")])
    with http_provider(srv) as rt, pytest.raises(NotFoundError) as err:
        rt.pause(HASH)
    assert str(err.value) == f"rTorrent has no download {HASH.lower()}"


def test_html_login_page_is_a_protocol_error_naming_the_url_base(srv):
    srv.script([LOGIN_PAGE])
    with http_provider(srv) as rt, pytest.raises(ProtocolError) as err:
        rt.get_downloads()
    assert "answered with an HTML page instead of XML-RPC" in str(err.value)
    assert "check the URL base (usually /RPC2)" in str(err.value)


def test_html_page_sent_as_xml_is_still_recognised(srv):
    srv.script([Reply(200, LOGIN_PAGE.body, {"Content-Type": "text/xml"})])
    with http_provider(srv) as rt, pytest.raises(ProtocolError, match="with an HTML page"):
        rt.get_downloads()


def test_doctype_entity_payload_is_a_protocol_error(srv):
    body = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<methodResponse><params><param><value><string>&xxe;</string></value></param>"
        "</params></methodResponse>"
    )
    srv.script([Reply(200, body, {"Content-Type": "text/xml"})])
    with http_provider(srv) as rt, pytest.raises(ProtocolError) as err:
        rt.get_downloads()
    assert "unreadable answer to system.client_version" in str(err.value)
    assert "DOCTYPE" in str(err.value)
    assert "root:" not in str(err.value)


def test_truncated_xml_is_a_protocol_error(srv):
    srv.script([*VERSIONS, Reply(200, LIST_ONE.body[:-60], {"Content-Type": "text/xml"})])
    with http_provider(srv) as rt, pytest.raises(ProtocolError, match="malformed XML"):
        rt.get_downloads()


def test_list_of_the_wrong_shape_is_a_protocol_error(srv):
    srv.script([*VERSIONS, answer(s("not a list"))])
    with http_provider(srv) as rt, pytest.raises(ProtocolError, match="unexpected shape"):
        rt.get_downloads()


def test_wrong_password_is_an_authentication_error_without_the_password(srv):
    srv.script([Reply(401, "Unauthorized", {"WWW-Authenticate": 'Basic realm="rt"'})])
    with http_provider(srv) as rt:
        result = rt.run_test()
    assert not result.ok
    assert "refused the username or password (HTTP 401)" in result.message
    assert PASSWORD not in result.message


def test_login_required_without_credentials_asks_for_them(srv):
    srv.script([Reply(401, "Unauthorized")])
    with http_provider(srv, username="", password=None) as rt:
        with pytest.raises(AuthenticationError, match="set the username and password"):
            rt.get_downloads()


def test_404_names_the_url_base(srv):
    srv.script([Reply(404, "Not Found")])
    with http_provider(srv, url_base="/RPC") as rt, pytest.raises(NotFoundError) as err:
        rt.get_downloads()
    assert "No XML-RPC endpoint at http://127.0.0.1" in str(err.value)
    assert "check the URL base" in str(err.value)


def test_bad_gateway_says_the_web_server_cannot_reach_rtorrent(srv):
    srv.script([Reply(502, "<html>502 Bad Gateway</html>", {"Content-Type": "text/html"})])
    with http_provider(srv) as rt, pytest.raises(ServerError) as err:
        rt.get_downloads()
    assert "could not reach rTorrent (HTTP 502)" in str(err.value)
    assert err.value.permanent is False


def test_redirect_is_a_configuration_error_naming_the_target(srv):
    srv.script([Reply(301, "", {"Location": "https://127.0.0.1/RPC2"})])
    with http_provider(srv) as rt, pytest.raises(ConfigurationError, match="redirected"):
        rt.get_downloads()


def test_https_to_an_http_port_is_a_permanent_tls_failure(srv):
    with http_provider(srv, use_ssl=True) as rt, pytest.raises(ConnectionFailed) as err:
        rt.get_downloads()
    assert "does not speak TLS on this port" in str(err.value)
    assert err.value.permanent is True


def test_other_xmlrpc_server_is_not_mistaken_for_rtorrent(srv):
    srv.script([fault(-506, "Method 'system.client_version' not defined")])
    with http_provider(srv) as rt, pytest.raises(ProtocolError) as err:
        rt.get_downloads()
    assert "does not look like rTorrent" in str(err.value)


def test_old_rtorrent_is_unsupported_naming_the_minimum(srv):
    srv.script([answer(s("0.8.9"))])
    with http_provider(srv) as rt, pytest.raises(UnsupportedError) as err:
        rt.get_downloads()
    assert str(err.value) == "rTorrent 0.8.9 is too old; idkarr needs rTorrent 0.9.0 or newer"


def test_unreadable_version_is_a_protocol_error(srv):
    srv.script([answer(s("banana"))])
    with http_provider(srv) as rt, pytest.raises(ProtocolError, match="unreadable version"):
        rt.get_downloads()


def test_relative_default_directory_fails_the_test_saying_what_to_set(srv):
    srv.script([*VERSIONS, LIST_ONE, answer(s("./"))])
    with http_provider(srv) as rt:
        result = rt.run_test()
    assert not result.ok
    assert "directory.default is relative (./)" in result.message
    assert "set an absolute download directory" in result.message


def test_test_reports_data_deletion_available_for_a_visible_directory(srv, tmp_path):
    srv.script([*VERSIONS, LIST_ONE, answer(s("./"))])
    with http_provider(srv, directory=str(tmp_path)) as rt:
        result = rt.run_test()
    assert result.ok, result.message
    assert result.details["delete_data"] == "available"


def test_test_reports_data_deletion_unavailable_for_an_unseen_directory(srv):
    srv.script([*VERSIONS, LIST_ONE, answer(s("/downloads"))])
    with http_provider(srv, directory="/nonexistent/dl") as rt:
        details = rt.run_test().details
    assert details["delete_data"] == "unavailable: idkarr cannot see /nonexistent/dl"


def test_password_never_appears_in_messages(srv):
    messages = []
    for reply in (Reply(401, "no"), LOGIN_PAGE, Reply(500, "boom"), Reply(close=True)):
        srv.script([reply])
        with http_provider(srv) as rt:
            messages.append(rt.run_test().message)
    assert len(messages) == 4 and all(messages)
    assert not [m for m in messages if PASSWORD in m]
