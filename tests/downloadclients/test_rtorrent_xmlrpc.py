"""rTorrent's XML-RPC marshalling: requests escaped as XML, answers read by the hardened
lxml parser (no DOCTYPE, no entities, bounded size and depth)."""

from __future__ import annotations

import base64
import time
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree

from integrations.downloadclients.providers.rtorrent import xmlrpc
from integrations.downloadclients.providers.rtorrent.xmlrpc import (
    Fault,
    XmlRpcError,
    dumps_call,
    loads_response,
)


def response(value_xml: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\r\n<methodResponse>\r\n<params>\r\n'
        f"<param>{value_xml}</param>\r\n</params>\r\n</methodResponse>\r\n"
    ).encode()


def roundtrip(value: object) -> object:
    """Marshal ``value`` as a call parameter, then read it back as an answer."""
    call = dumps_call("x.y", [value]).decode()
    param = call.split("<param>", 1)[1].rsplit("</param>", 1)[0]
    return loads_response(response(param))


def sent_params(body: bytes) -> list[etree._Element]:
    return etree.fromstring(body).findall("params/param/value")


# -- requests ----------------------------------------------------------------------------------
def test_call_names_the_method_and_is_utf8_xml():
    body = dumps_call("system.client_version")
    root = etree.fromstring(body)
    assert root.findtext("methodName") == "system.client_version"
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


def test_markup_in_strings_is_escaped():
    body = dumps_call("d.custom1.set", ["H", "</string><i4>1</i4> & ü"])
    assert [v.findtext("string") for v in sent_params(body)] == ["H", "</string><i4>1</i4> & ü"]


def test_carriage_return_survives_the_receiving_parser():
    body = dumps_call("x.y", ["a\r\nb"])
    assert sent_params(body)[0].findtext("string") == "a\r\nb"


def test_control_character_cannot_be_sent():
    with pytest.raises(ValueError, match="control character"):
        dumps_call("x.y", ["a\x00b"])


def test_bytes_are_sent_as_base64():
    body = dumps_call("load.raw_start", ["", b"d4:infoe"])
    assert base64.b64decode(sent_params(body)[1].findtext("base64")) == b"d4:infoe"


def test_ints_are_i4_and_large_ints_i8():
    values = sent_params(dumps_call("x.y", [3, 2**40, -(2**31)]))
    assert [(v[0].tag, v[0].text) for v in values] == [
        ("i4", "3"),
        ("i8", str(2**40)),
        ("i4", str(-(2**31))),
    ]


def test_int_beyond_i8_cannot_be_sent():
    with pytest.raises(ValueError, match="too large"):
        dumps_call("x.y", [2**64])


def test_booleans_are_not_sent_as_ints():
    assert sent_params(dumps_call("x.y", [True]))[0][0].tag == "boolean"


def test_none_cannot_be_sent():
    with pytest.raises(ValueError, match="cannot carry a NoneType"):
        dumps_call("x.y", [None])


def test_invalid_method_name_is_refused():
    with pytest.raises(ValueError, match="invalid XML-RPC method name"):
        dumps_call("d.name</methodName><x>", [])


def test_nested_values_round_trip():
    value = [{"methodName": "d.name", "params": ["H", 1, [True, 2.5]]}, b"\x00\xff", "ü<>&"]
    assert roundtrip(value) == value


# -- answers -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("xml", "value"),
    [
        ("<value><string>0.9.8</string></value>", "0.9.8"),
        ("<value>untyped</value>", "untyped"),
        ("<value><string></string></value>", ""),
        ("<value><i8>65536</i8></value>", 65536),
        ("<value><i4>-501</i4></value>", -501),
        ("<value><int>7</int></value>", 7),
        ("<value><boolean>1</boolean></value>", True),
        ("<value><double>1.5</double></value>", 1.5),
        ("<value><base64>aGk=</base64></value>", b"hi"),
        ("<value><nil/></value>", None),
        (
            "<value><dateTime.iso8601>20231114T22:13:20</dateTime.iso8601></value>",
            datetime(2023, 11, 14, 22, 13, 20),
        ),
        (
            '<value><ex:i8 xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions">5'
            "</ex:i8></value>",
            5,
        ),
        (
            "<value><array><data>\r\n<value><array><data><value><string>AB</string></value>"
            "<value><i8>1</i8></value></data></array></value>\r\n</data></array></value>",
            [["AB", 1]],
        ),
        (
            "<value><struct><member><name>a</name><value><i4>1</i4></value></member></struct>"
            "</value>",
            {"a": 1},
        ),
    ],
    ids=lambda v: v[:40] if isinstance(v, str) else None,
)
def test_answer_values_are_decoded(xml, value):
    assert loads_response(response(xml)) == value


def test_fault_carries_code_and_string():
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>\r\n<methodResponse>\r\n<fault>\r\n<value><struct>'
        b"\r\n<member><name>faultCode</name>\r\n<value><i4>-501</i4></value></member>\r\n"
        b"<member><name>faultString</name>\r\n<value><string>Could not find info-hash.</string>"
        b"</value></member>\r\n</struct></value>\r\n</fault>\r\n</methodResponse>\r\n"
    )
    with pytest.raises(Fault) as fault:
        loads_response(body)
    assert (fault.value.code, fault.value.string) == (-501, "Could not find info-hash.")


def test_comments_and_processing_instructions_before_the_root_are_accepted():
    body = (
        b'<?xml version="1.0"?>\n<!-- proxy -->\n<?pi x?>'
        + response("<value><i4>0</i4></value>").split(b"?>", 1)[1]
    )
    assert loads_response(body) == 0


# -- hostile and broken answers ----------------------------------------------------------------
def test_doctype_with_entities_is_refused_before_parsing(monkeypatch):
    parsed = []
    monkeypatch.setattr(xmlrpc.etree, "fromstring", lambda *a: parsed.append(a))
    body = (
        b'<?xml version="1.0"?><!DOCTYPE methodResponse [<!ENTITY x "boom">]>'
        b"<methodResponse><params><param><value><string>&x;</string></value></param></params>"
        b"</methodResponse>"
    )
    with pytest.raises(XmlRpcError, match="DOCTYPE"):
        loads_response(body)
    assert parsed == []


def test_external_entity_is_never_read(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (
        f'<?xml version="1.0"?>\n<!doctype r [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<methodResponse><params><param><value><string>&xxe;</string></value></param></params>"
        "</methodResponse>"
    ).encode()
    with pytest.raises(XmlRpcError) as err:
        loads_response(body)
    assert "TOP-SECRET" not in str(err.value)


def test_billion_laughs_is_refused_quickly():
    entities = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY l0 "lol">{entities}]>'
        "<methodResponse><params><param><value><string>&l9;</string></value></param></params>"
        "</methodResponse>"
    ).encode()
    started = time.monotonic()
    with pytest.raises(XmlRpcError, match="DOCTYPE"):
        loads_response(body)
    assert time.monotonic() - started < 0.5


def test_undeclared_entity_is_malformed():
    with pytest.raises(XmlRpcError, match="malformed XML"):
        loads_response(response("<value><string>&xxe;</string></value>"))


def test_truncated_answer_is_malformed():
    with pytest.raises(XmlRpcError, match="malformed XML"):
        loads_response(response("<value><array><data><value><string>AB")[:-40])


def test_html_page_is_recognised():
    with pytest.raises(XmlRpcError) as err:
        loads_response(b"<!DOCTYPE html>\n<html><head><title>Login</title></head></html>")
    assert err.value.html


def test_xhtml_page_with_xml_declaration_is_recognised():
    with pytest.raises(XmlRpcError) as err:
        loads_response(b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"/>')
    assert err.value.html


def test_other_root_element_is_refused():
    with pytest.raises(XmlRpcError, match="<methodCall> document instead of <methodResponse>"):
        loads_response(dumps_call("x.y", []))


def test_empty_answer_is_refused():
    with pytest.raises(XmlRpcError, match="an empty answer"):
        loads_response(b"  \r\n")


def test_oversized_answer_is_refused(monkeypatch):
    monkeypatch.setattr(xmlrpc, "MAX_RESPONSE_BYTES", 100)
    with pytest.raises(XmlRpcError, match="larger than"):
        loads_response(response("<value><string>" + "x" * 200 + "</string></value>"))


def test_deep_nesting_is_refused():
    nested = "<value><array><data>" * 40 + "<value>x</value>" + "</data></array></value>" * 40
    with pytest.raises(XmlRpcError, match="nested too deeply"):
        loads_response(response(nested))


def test_unknown_value_type_is_refused():
    with pytest.raises(XmlRpcError, match="unknown value type <i16>"):
        loads_response(response("<value><i16>1</i16></value>"))


def test_malformed_int_is_refused():
    with pytest.raises(XmlRpcError, match="malformed <i8>"):
        loads_response(response("<value><i8>12ab</i8></value>"))


def test_fault_without_a_code_is_refused():
    body = b"<methodResponse><fault><value><struct></struct></value></fault></methodResponse>"
    with pytest.raises(XmlRpcError, match="without a faultCode"):
        loads_response(body)


def test_the_package_uses_no_stdlib_xml_parser():
    package = Path(xmlrpc.__file__).parent
    source = "\n".join(p.read_text() for p in package.glob("*.py"))
    for banned in ("xmlrpc.client", "xml.etree", "xml.dom", "xml.sax.make_parser", "expat"):
        assert banned not in source
