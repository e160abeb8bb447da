"""``ImdbList`` against a loopback server answering as IMDb's export URLs do."""

from __future__ import annotations

import pytest

from importlists.providers.imdb import MAX_EXPORT_BYTES, ImdbList, ImdbListSettings
from integrations.errors import (
    AuthenticationError,
    NotFoundError,
    ProtocolError,
    RequestTimedOut,
    ServerError,
)
from tests.httpserver import RecordingServer, Reply

from .fake_imdb import CSV_HEADERS, HEAT, LIST_ID, SAMPLE, USER_ID, export

LOGIN_PAGE = "<!DOCTYPE html><html><head><title>Sign in - IMDb</title></head></html>"


@pytest.fixture
def srv():
    with RecordingServer() as server:
        yield server


def provider(srv: RecordingServer, **settings) -> ImdbList:
    settings.setdefault("api_url", srv.url)
    if "export_url" not in settings:
        settings.setdefault("list_id", LIST_ID)
    return ImdbList(ImdbListSettings(**settings))


def csv_reply(rows=SAMPLE, **kwargs) -> Reply:
    return Reply(200, export(rows, **kwargs), CSV_HEADERS)


def test_list_id_fetches_the_list_export_path(srv):
    srv.script([csv_reply()])
    with provider(srv) as imdb:
        imdb.fetch()
    assert (srv.last_request.method, srv.last_request.path) == ("GET", f"/list/{LIST_ID}/export")


def test_fetch_returns_the_exports_titles(srv):
    srv.script([csv_reply()])
    with provider(srv) as imdb:
        items = imdb.fetch()
    assert [(i.imdb_id, i.media_type) for i in items] == [
        ("tt0903747", "series"),
        ("tt0113277", "movie"),
        ("tt7366338", "series"),
    ]


def test_fetch_reads_a_bom_prefixed_export_sent_without_a_charset(srv):
    body = export([HEAT], bom=True).encode()
    srv.script([Reply(200, body, {"Content-Type": "text/csv"})])
    with provider(srv) as imdb:
        [item] = imdb.fetch()
    assert (item.rank, item.title) == (2, "Heat")


def test_pasted_list_url_fetches_that_list(srv):
    srv.script([csv_reply()])
    with provider(srv, list_id=f"https://www.imdb.com/list/{LIST_ID}/?ref_=ext_shr") as imdb:
        imdb.fetch()
    assert srv.last_request.path == f"/list/{LIST_ID}/export"


def test_watchlist_user_id_fetches_the_watchlist_export_path(srv):
    srv.script([csv_reply()])
    with provider(srv, list_id=USER_ID) as imdb:
        imdb.fetch()
    assert srv.last_request.path == f"/user/{USER_ID}/watchlist/export"


def test_export_url_is_fetched_as_is(srv):
    srv.script([csv_reply()])
    with provider(srv, export_url=srv.url + "/shared/My%20List.csv?dl=1&v=2") as imdb:
        items = imdb.fetch()
    assert srv.last_request.raw_path == "/shared/My%20List.csv?dl=1&v=2"
    assert len(items) == 3


def test_media_type_setting_filters_the_fetched_titles(srv):
    srv.script([csv_reply()])
    with provider(srv, media_type="movie") as imdb:
        items = imdb.fetch()
    assert [i.imdb_id for i in items] == ["tt0113277"]


def test_default_api_url_is_imdb():
    imdb = ImdbList(ImdbListSettings(list_id=LIST_ID))
    assert imdb.export_url() == f"https://www.imdb.com/list/{LIST_ID}/export"


def test_202_with_an_empty_body_is_a_transient_error(srv):
    srv.script([Reply(202)])
    with provider(srv) as imdb, pytest.raises(ServerError) as caught:
        imdb.fetch()
    assert caught.value.permanent is False
    assert str(caught.value) == (
        f"IMDb is still preparing the export of {LIST_ID}; idkarr will try again"
    )


def test_200_with_an_empty_body_is_a_transient_error_not_an_empty_list(srv):
    srv.script([Reply(200, b"", CSV_HEADERS)])
    with provider(srv) as imdb, pytest.raises(ServerError, match="still preparing"):
        imdb.fetch()


def test_run_test_reports_a_preparing_export_as_a_failed_result(srv):
    srv.script([Reply(202)])
    with provider(srv) as imdb:
        result = imdb.run_test()
    assert result.ok is False
    assert "still preparing" in result.message


def test_404_says_the_list_must_be_public(srv):
    srv.script([Reply(404, LOGIN_PAGE, {"Content-Type": "text/html"})])
    with provider(srv) as imdb, pytest.raises(NotFoundError) as caught:
        imdb.fetch()
    assert f"IMDb list {LIST_ID}" in str(caught.value)
    assert "must exist and be public" in str(caught.value)


def test_403_says_the_list_must_be_public(srv):
    srv.script([Reply(403)])
    with provider(srv) as imdb, pytest.raises(AuthenticationError, match="be public"):
        imdb.fetch()


def test_html_login_page_says_the_list_is_private(srv):
    srv.script([Reply(200, LOGIN_PAGE, {"Content-Type": "text/html; charset=utf-8"})])
    with provider(srv) as imdb, pytest.raises(AuthenticationError) as caught:
        imdb.fetch()
    assert "login page" in str(caught.value)
    assert "must exist and be public" in str(caught.value)


def test_html_sent_as_csv_is_recognised_as_a_login_page(srv):
    srv.script([Reply(200, LOGIN_PAGE, CSV_HEADERS)])
    with provider(srv) as imdb, pytest.raises(AuthenticationError, match="private"):
        imdb.fetch()


def test_csv_without_const_column_is_a_protocol_error(srv):
    srv.script([Reply(200, "Position,Title,Title Type\r\n1,Heat,movie\r\n", CSV_HEADERS)])
    with provider(srv) as imdb, pytest.raises(ProtocolError, match="no Const column"):
        imdb.fetch()


def test_oversized_export_is_a_protocol_error(srv):
    srv.script([Reply(200, b"x" * (MAX_EXPORT_BYTES + 1), CSV_HEADERS)])
    with provider(srv) as imdb, pytest.raises(ProtocolError, match="more than 20 MB"):
        imdb.fetch()


def test_oversized_export_without_a_length_is_cut_off(srv, monkeypatch):
    from importlists.providers import imdb as module

    monkeypatch.setattr(module, "MAX_EXPORT_BYTES", 1024)
    headers = {**CSV_HEADERS, "Connection": "close", "Content-Length": ""}
    srv.script([Reply(200, export([HEAT] * 100), headers)])
    with provider(srv) as imdb, pytest.raises(ProtocolError, match="refusing"):
        imdb.fetch()


def test_500_is_a_server_error(srv):
    srv.script([Reply(500, "Internal Server Error")])
    with provider(srv) as imdb, pytest.raises(ServerError, match="HTTP 500") as caught:
        imdb.fetch()
    assert caught.value.permanent is False


def test_no_answer_in_time_is_a_timeout(srv):
    srv.script([Reply(hang=True)])
    with provider(srv, timeout_seconds=0.2) as imdb, pytest.raises(RequestTimedOut):
        imdb.fetch()


def test_export_url_credentials_are_redacted_from_errors(srv):
    srv.script([Reply(404)])
    url = srv.url + "/export.csv?token=hunter2"
    with provider(srv, export_url=url) as imdb, pytest.raises(NotFoundError) as caught:
        imdb.fetch()
    assert "hunter2" not in str(caught.value)
    assert "/export.csv" in str(caught.value)


def test_test_counts_titles_movies_and_series(srv):
    srv.script([csv_reply()])
    with provider(srv) as imdb:
        result = imdb.test()
    assert result.ok is True
    assert result.message == f"IMDb list {LIST_ID}: 3 titles (1 movie, 2 series)"
