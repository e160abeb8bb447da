"""``ImdbListSettings``: one source (a list id or a public export URL), validated."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from importlists.base import ImportListSettings
from importlists.providers.imdb import ImdbList, ImdbListSettings

from .fake_imdb import LIST_ID, USER_ID


def test_neither_list_id_nor_export_url_is_refused():
    with pytest.raises(ValidationError, match="exactly one of the list id and the CSV export URL"):
        ImdbListSettings()


def test_both_list_id_and_export_url_are_refused():
    with pytest.raises(ValidationError, match="exactly one of the list id and the CSV export URL"):
        ImdbListSettings(list_id=LIST_ID, export_url="https://example.com/list.csv")


@pytest.mark.parametrize(
    "bad",
    [
        "12345678",
        "ls",
        "ls12ab34",
        "tt0903747",
        "ur 1234",
        "https://www.imdb.com/title/tt0903747/",
        "https://www.imdb.com/chart/top/",
    ],
)
def test_a_bad_list_id_is_refused(bad):
    with pytest.raises(ValidationError, match="Enter an IMDb list id"):
        ImdbListSettings(list_id=bad)


@pytest.mark.parametrize(
    "value",
    [
        LIST_ID,
        f"  {LIST_ID}  ",
        LIST_ID.upper(),
        f"https://www.imdb.com/list/{LIST_ID}/",
        f"https://www.imdb.com/list/{LIST_ID}/?ref_=ext_shr_lnk",
        f"https://m.imdb.com/list/{LIST_ID}",
        f"www.imdb.com/list/{LIST_ID}/export",
    ],
)
def test_a_list_id_or_pasted_list_url_gives_the_id(value):
    assert ImdbListSettings(list_id=value).list_id == LIST_ID


@pytest.mark.parametrize(
    "value", [USER_ID, f"https://www.imdb.com/user/{USER_ID}/watchlist/?ref_=nv_usr_wl_all_0"]
)
def test_a_watchlist_user_id_or_url_gives_the_user_id(value):
    assert ImdbListSettings(list_id=value).list_id == USER_ID


@pytest.mark.parametrize("bad", ["ftp://example.com/list.csv", "example.com/list.csv", "http://"])
def test_an_export_url_that_is_not_http_is_refused(bad):
    with pytest.raises(ValidationError, match="http:// or https://"):
        ImdbListSettings(export_url=bad)


def test_an_https_export_url_is_kept_as_is():
    url = "https://dl.example.com/s/abc/ratings.csv?dl=1"
    assert ImdbListSettings(export_url=url).export_url == url


def test_an_api_url_that_is_not_http_is_refused():
    with pytest.raises(ValidationError, match="http:// or https://"):
        ImdbListSettings(list_id=LIST_ID, api_url="imdb.local")


def test_an_unknown_media_type_is_refused():
    with pytest.raises(ValidationError, match="media_type"):
        ImdbListSettings(list_id=LIST_ID, media_type="episode")


def test_media_type_defaults_to_both():
    assert ImdbListSettings(list_id=LIST_ID).media_type == "both"


def test_every_imdb_field_has_a_description():
    own = set(ImdbListSettings.model_fields) - set(ImportListSettings.model_fields)
    assert own == {"api_url", "list_id", "export_url", "media_type"}
    assert all(ImdbListSettings.model_fields[name].description for name in own)


def test_provider_declares_its_kind_and_refresh_minimum():
    described = ImdbList.describe()
    assert (described["kind"], described["label"], described["family"]) == (
        "imdb",
        "IMDb list",
        "import_list",
    )
    assert ImdbList.min_refresh_minutes == 720
    assert "export_url" in described["settings_schema"]["properties"]


def test_provider_refuses_settings_of_another_kind():
    with pytest.raises(TypeError, match="ImdbListSettings"):
        ImdbList(ImportListSettings())
