"""The shared NZB check (integrations.downloadclients.nzb): summaries, the refusals and
their reasons, gzip, and the XML attacks it must not fall for."""

from __future__ import annotations

import gzip

import pytest

from integrations.downloadclients.nzb import MAX_NZB_BYTES, NzbError, gunzip, read_nzb
from tests.daemons.nntp import NzbFile, Segment, make_nzb
from tests.httpserver import RecordingServer

NZB = make_nzb(
    [
        NzbFile("show.part1.rar", [Segment("a1@test.invalid", 739811), Segment("a2@x", 1000)]),
        NzbFile("show.par2", [Segment("p1@test.invalid", 4200)]),
    ],
    title="Show.S01E01.720p",
)
HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n'
BODY = (
    b'<nzb xmlns="http://www.newzbin.com/DTD/2003/nzb"><head>'
    b'<meta type="title">&x;</meta></head>'
    b'<file subject="s"><groups><group>a.b.c</group></groups>'
    b'<segments><segment bytes="10" number="1">m@x</segment></segments></file></nzb>'
)


def reason(data: bytes, **kwargs) -> str:
    with pytest.raises(NzbError) as err:
        read_nzb(data, **kwargs)
    return err.value.reason


# -- what a valid NZB gives --------------------------------------------------------------------
def test_valid_nzb_is_summarised():
    s = read_nzb(NZB)
    assert (s.files, s.segments, s.total_bytes, s.title) == (2, 3, 745011, "Show.S01E01.720p")
    assert (s.gzipped, s.xml) == (False, NZB)


def test_the_doctype_indexers_send_is_accepted():
    assert b'<!DOCTYPE nzb PUBLIC "-//newzBin//DTD NZB 1.1//EN"' in NZB
    assert read_nzb(NZB).files == 2


def test_nzb_without_namespace_is_accepted():
    data = b"<nzb><file><segments><segment bytes='5'>m@x</segment></segments></file></nzb>"
    assert (read_nzb(data).segments, read_nzb(data).total_bytes) == (1, 5)


def test_meta_password_category_and_tags_are_read_and_the_password_is_not_in_repr():
    data = NZB.replace(
        b'<meta type="title">',
        b'<meta type="password">s3cret-pw</meta><meta type="Category">TV &gt; HD</meta>'
        b'<meta type="tag">HD</meta><meta type="tag">x264</meta><meta type="title">',
    )
    s = read_nzb(data)
    assert (s.password, s.category, s.tags) == ("s3cret-pw", "TV > HD", ("HD", "x264"))
    assert "s3cret-pw" not in repr(s)


def test_segment_without_a_readable_size_counts_as_zero_bytes():
    data = NZB.replace(b'bytes="1000"', b'bytes="lots"')
    assert (read_nzb(data).segments, read_nzb(data).total_bytes) == (3, 744011)


def test_meta_in_a_declared_latin1_encoding_is_decoded():
    data = HEAD.replace(b"UTF-8", b"ISO-8859-1") + BODY.replace(b"&x;", "Café".encode("latin-1"))
    assert read_nzb(data).title == "Café"


# -- refusals, each with its reason -----------------------------------------------------------
def test_empty_bytes_are_refused():
    assert reason(b" \n") == "it is empty"


def test_plain_text_is_not_xml_and_the_reason_quotes_its_start():
    assert reason(b"Too Many Requests") == "it is not XML (it begins 'Too Many Requests')"


def test_binary_junk_is_not_xml():
    assert reason(b"\x00\x01\x02 not xml") == "it is not XML (binary data)"


def test_key_like_words_in_quoted_text_are_masked():
    text = reason(b"Invalid API key 0f3a9c2e7b1d4a5f6e8c given")
    assert text == "it is not XML (it begins 'Invalid API key *** given')"


def test_html_page_is_named_with_its_title():
    page = b"<!DOCTYPE html><html><head><title>429 Too Many Requests</title></head></html>"
    assert reason(page) == "it is an HTML page titled '429 Too Many Requests'"


def test_html_page_without_a_title_is_still_an_html_page():
    assert reason(b"<html><body>Login<br></body></html>") == "it is an HTML page"


def test_other_xml_is_refused_for_its_root():
    assert reason(b'<?xml version="1.0"?><rss><channel/></rss>') == (
        "its root element is <rss>, not <nzb>"
    )


def test_truncated_nzb_is_called_cut_off():
    assert reason(NZB[: len(NZB) // 2]).startswith("it is cut off: the XML ends at line ")


def test_nzb_cut_just_before_its_end_tag_is_called_cut_off():
    assert "before </nzb>" in reason(NZB.rstrip()[: -len(b"</nzb>")])


def test_malformed_but_complete_xml_names_the_error_and_line():
    data = b"<nzb>\n<file><segments><segment>m@x</segments></file></nzb>"
    assert reason(data) == (
        "it is not well-formed XML (Opening and ending tag mismatch: segment line 2 and "
        "segments at line 2)"
    )


def test_nzb_without_files_is_refused():
    assert reason(b'<nzb xmlns="http://www.newzbin.com/DTD/2003/nzb"><head/></nzb>') == (
        "it lists no files"
    )


def test_nzb_whose_files_have_no_segments_is_refused():
    assert reason(b"<nzb><file><groups/><segments/></file></nzb>") == ("its files list no segments")


def test_meta_that_is_not_utf8_is_refused_with_the_line():
    data = HEAD + b"\n" + BODY.replace(b"&x;", "Café".encode("latin-1"))
    assert reason(data) == "its text is not valid UTF-8 (line 3)"


def test_text_invalid_in_its_declared_encoding_names_that_encoding():
    data = HEAD.replace(b"UTF-8", b"Shift_JIS") + BODY.replace(b"&x;", b"\x81\x20")
    assert reason(data) == "its text is not valid Shift_JIS (line 1)"


# -- size bounds -----------------------------------------------------------------------------
@pytest.mark.timeout(30)  # a hang guard, not a speed claim
def test_bound_is_64_mib_and_one_byte_more_is_refused_unread():
    data = NZB + b" " * (MAX_NZB_BYTES + 1 - len(NZB))
    assert reason(data) == "it is larger than 64 MiB"


def test_a_smaller_bound_can_be_given():
    assert reason(NZB, max_bytes=100) == "it is larger than 100 bytes"


# -- gzip ------------------------------------------------------------------------------------
def test_gzip_is_refused_unless_the_caller_accepts_it():
    assert reason(gzip.compress(NZB)) == "it is gzip-packed (.nzb.gz)"


def test_accepted_gzip_is_checked_unpacked_and_the_plain_xml_returned():
    s = read_nzb(gzip.compress(NZB), allow_gzip=True)
    assert (s.gzipped, s.xml, s.files) == (True, NZB, 2)


def test_gzip_of_several_members_is_unpacked_whole():
    half = len(NZB) // 2
    packed = gzip.compress(NZB[:half]) + gzip.compress(NZB[half:])
    assert gunzip(packed) == NZB


@pytest.mark.timeout(30)  # a hang guard, not a speed claim
def test_gzip_bomb_is_refused_at_the_bound():
    bomb = gzip.compress(b" " * (MAX_NZB_BYTES + 2**20), compresslevel=9)
    assert len(bomb) < 100_000
    assert reason(bomb, allow_gzip=True) == "it unpacks to more than 64 MiB"


def test_damaged_gzip_is_refused():
    packed = bytearray(gzip.compress(NZB))
    packed[20:40] = b"\xff" * 20
    assert reason(bytes(packed), allow_gzip=True) == "it is a damaged gzip file"


def test_cut_off_gzip_is_refused():
    packed = gzip.compress(NZB)
    assert reason(packed[: len(packed) // 2], allow_gzip=True) == (
        "it is a cut-off gzip file (an incomplete download?)"
    )


def test_gzip_of_an_html_page_is_refused_as_html():
    page = gzip.compress(b"<html><head><title>Login</title></head></html>")
    assert reason(page, allow_gzip=True) == "it is an HTML page titled 'Login'"


# -- attacks ---------------------------------------------------------------------------------
OWN_DTD = "it declares its own DTD or XML entities, which an NZB never does"


def billion_laughs(encoding: str = "utf-8") -> bytes:
    entities = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        f'<!DOCTYPE nzb [<!ENTITY l0 "lol">{entities}]>'
        f"<nzb><head><meta type='title'>&l9;</meta></head><file><segments>"
        f"<segment bytes='1'>m@x</segment></segments></file></nzb>"
    )
    return text.encode(encoding)


@pytest.mark.timeout(30)  # a hang guard, not a speed claim
def test_billion_laughs_is_refused_quickly():
    assert reason(billion_laughs()) == OWN_DTD


@pytest.mark.timeout(30)  # a hang guard, not a speed claim
def test_billion_laughs_in_utf16_is_refused_too():
    assert reason(billion_laughs("utf-16")) == OWN_DTD


def test_xxe_reading_a_local_file_is_refused_and_the_file_stays_unread(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-CONTENT")
    data = HEAD + f'<!DOCTYPE nzb [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'.encode() + BODY
    text = reason(data)
    assert text == OWN_DTD
    assert "TOPSECRET" not in text


def test_xxe_parameter_entity_fetching_a_url_is_refused_without_a_request():
    with RecordingServer() as server:
        dtd = f'<!DOCTYPE nzb [<!ENTITY % p SYSTEM "{server.url}/evil.dtd"> %p;]>'
        assert reason(HEAD + dtd.encode() + BODY) == OWN_DTD
        assert server.requests == []


def test_external_dtd_is_never_fetched():
    with RecordingServer() as server:
        doctype = f'<!DOCTYPE nzb SYSTEM "{server.url}/nzb.dtd">'.encode()
        s = read_nzb(HEAD + doctype + BODY.replace(b"&x;", b"T"))
        assert (s.title, server.requests) == ("T", [])


def test_external_dtd_on_disk_is_never_read(tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY x "FROM-THE-DTD">')
    doctype = f'<!DOCTYPE nzb SYSTEM "{dtd.as_uri()}">'.encode()
    s = read_nzb(HEAD + doctype + BODY)
    assert "FROM-THE-DTD" not in s.title
    assert s.files == 1


def test_undeclared_entity_is_refused():
    assert reason(BODY) == "it is not well-formed XML (Entity 'x' not defined at line 1)"


@pytest.mark.timeout(30)  # a hang guard, not a speed claim
def test_many_comments_before_the_root_are_scanned_in_linear_time():
    # A regular expression over repeated comments backtracks exponentially; 40 would hang.
    assert reason(b"<!-- x -->" * 40 + b"<rss/>") == "its root element is <rss>, not <nzb>"
    assert reason(b"<!-- x -->" * 100_000 + b"<html><title>Hi</title></html>") == (
        "it is an HTML page titled 'Hi'"
    )
    assert reason(b"<?pi x?>" * 100_000 + b"<!DOCTYPE nzb [<!ENTITY a 'b'>]><nzb/>") == OWN_DTD
