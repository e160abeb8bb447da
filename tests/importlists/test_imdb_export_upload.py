"""An IMDb CSV export uploaded by hand as an IMDb list's entries (API)."""

from __future__ import annotations

import pytest

from idkarr.library.models import Movie, RootFolder
from importlists.models import ImportList, ListedItem
from tests.importlists.fake_imdb import HEAT, SAMPLE, export

pytestmark = pytest.mark.django_db


def imdb_list(**settings) -> ImportList:
    from importlists.providers.imdb import ImdbListSettings

    root = RootFolder.objects.create(path="/data/movies")
    config = ImportList(name="Favourites", kind="imdb")
    config.apply_settings(
        ImdbListSettings.model_validate(
            {"list_id": "ls012345678", "root_folder_id": root.pk, **settings}
        )
    )
    config.save()
    return config


def upload(client, config, text: str):
    return client.post(
        f"/api/v1/import-lists/{config.pk}/imdb-export", text, content_type="text/csv"
    )


def test_an_uploaded_export_records_the_lists_entries(api_client_for):
    config = imdb_list()
    response = upload(api_client_for("operator"), config, export(SAMPLE))
    assert response.status_code == 200, response.content
    assert sorted(ListedItem.objects.values_list("imdb_id", "outcome")) == [
        ("tt0113277", "not_found"),
        ("tt0903747", "not_found"),
        ("tt7366338", "not_found"),
    ]


def test_the_lists_media_type_filters_the_upload(api_client_for):
    config = imdb_list(media_type="movie")
    result = upload(api_client_for("operator"), config, export(SAMPLE)).json()
    assert result["found"] == 1


def test_an_uploaded_movie_known_by_its_tmdb_id_is_added(api_client_for, monkeypatch):
    from importlists import sync

    def with_tmdb(item):
        item.tmdb_id = 949
        return None

    monkeypatch.setattr(sync, "_map_ids", with_tmdb)
    config = imdb_list()
    upload(api_client_for("operator"), config, export([HEAT]))
    assert Movie.objects.get().tmdb_id == 949


def test_an_upload_without_the_const_column_says_what_is_missing(api_client_for):
    config = imdb_list()
    response = upload(api_client_for("operator"), config, "Title,Year\nHeat,1995\n")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_payload")
    assert "Const" in response.json()["message"]


def test_only_an_imdb_list_takes_an_export(api_client_for):
    config = imdb_list()
    ImportList.objects.filter(pk=config.pk).update(kind="trakt")
    response = upload(api_client_for("operator"), config, export(SAMPLE))
    assert (response.status_code, response.json()["code"]) == (422, "unsupported")


def test_a_viewer_may_not_upload_an_export(api_client_for):
    config = imdb_list()
    response = upload(api_client_for("viewer"), config, export(SAMPLE))
    assert response.status_code == 403
    assert not ListedItem.objects.exists()
