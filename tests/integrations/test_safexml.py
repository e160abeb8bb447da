"""The linear prolog scan that replaced backtracking regular expressions."""

from __future__ import annotations

import pytest

from integrations.errors import ProtocolError
from integrations.indexers.base import Protocol
from integrations.indexers.newznab_xml import parse_feed
from integrations.safexml import first_markup, starts_as_html, starts_with_doctype

MANY_COMMENTS = b"<!-- x -->" * 5000


def test_first_markup_skips_declaration_pis_and_comments():
    data = b'\xef\xbb\xbf <?xml version="1.0"?>\n<!-- a --><?pi x?>\n<rss/>'
    assert data[first_markup(data) :] == b"<rss/>"


def test_first_markup_of_a_cut_off_comment_is_none():
    assert first_markup(b"<?xml version='1.0'?><!-- never closed") == -1


def test_first_markup_stops_at_the_limit():
    assert first_markup(b"<!-- a -->" * 10 + b"<rss/>", limit=20) == -1


def test_a_doctype_after_comments_is_seen():
    assert starts_with_doctype(b'<?xml version="1.0"?><!-- c --><!DOCTYPE rss [ ]><rss/>')


def test_an_html_page_after_comments_is_seen():
    assert starts_as_html(b"<!-- proxy -->\n<!DOCTYPE  HTML><html><body>Login</body></html>")


def test_an_rss_feed_is_not_html():
    assert not starts_as_html(b'<?xml version="1.0"?><rss><channel/></rss>')


@pytest.mark.timeout(10)  # a hang guard: the old pattern did not finish on 40 comments
def test_thousands_of_comments_are_scanned_to_the_page_behind_them():
    assert starts_as_html(MANY_COMMENTS + b"<html>") is True


@pytest.mark.timeout(10)  # a hang guard, as above
def test_a_truncated_feed_behind_thousands_of_comments_is_a_clear_error():
    data = MANY_COMMENTS + b"<rss><channel></channel></rss"  # truncated on purpose
    with pytest.raises(ProtocolError, match="cut off|truncated|not well-formed|malformed|ends"):
        parse_feed(data, protocol=Protocol.TORRENT, indexer_id=1, indexer_name="x", service="x")


def test_the_hardened_parser_does_not_substitute_entities():
    from lxml import etree

    from integrations.safexml import hardened_parser

    root = etree.fromstring(b'<!DOCTYPE r [<!ENTITY e "expanded">]><r>&e;</r>', hardened_parser())
    assert "expanded" not in etree.tostring(root).decode()


def test_the_hardened_parser_reads_no_external_file(tmp_path):
    from lxml import etree

    from integrations.safexml import hardened_parser

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>'.encode()
    root = etree.fromstring(doc, hardened_parser())
    assert "TOP-SECRET" not in etree.tostring(root).decode()
