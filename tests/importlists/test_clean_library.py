"""Cleaning the library after syncs: titles no adding list holds any more are logged,
unmonitored or tagged as the clean level says, and only when every adding list last
synced successfully."""

from __future__ import annotations

import pytest

from idkarr.library.models import Movie, RootFolder, Series
from importlists import clean, sync
from importlists.models import ImportList
from tests.importlists.conftest import make_list

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_kinds")]

BREAKING = {"media_type": "series", "title": "Breaking Bad", "year": 2008, "tvdb_id": 81189}


@pytest.fixture
def synced(settings):
    """A library with a listed series (synced) and one no list holds."""
    settings.IMPORT_LIST_CLEAN_LEVEL = "disabled"
    root = RootFolder.objects.create(path="/data/tv")
    sync.sync_list(make_list(items=[BREAKING], root_folder_id=root.pk))
    Series.objects.create(title="Gone Show", tvdb_id=1, monitored=True)
    return settings


def test_a_disabled_level_changes_nothing(synced):
    result = clean.clean_library()
    assert (result.ran, Series.objects.get(tvdb_id=1).monitored) == (False, True)


def test_log_only_names_the_unlisted_titles_and_changes_nothing(synced):
    synced.IMPORT_LIST_CLEAN_LEVEL = "log_only"
    result = clean.clean_library()
    assert (result.series, Series.objects.get(tvdb_id=1).monitored) == (["Gone Show"], True)


def test_keep_and_unmonitor_unmonitors_what_no_list_holds(synced):
    synced.IMPORT_LIST_CLEAN_LEVEL = "keep_and_unmonitor"
    clean.clean_library()
    assert dict(Series.objects.values_list("title", "monitored")) == {
        "Breaking Bad": True,
        "Gone Show": False,
    }


def test_keep_and_tag_tags_what_no_list_holds(synced):
    synced.IMPORT_LIST_CLEAN_LEVEL = "keep_and_tag"
    synced.IMPORT_LIST_CLEAN_TAG = "Off-List"
    clean.clean_library()
    assert [t.label for t in Series.objects.get(tvdb_id=1).tags.all()] == ["off-list"]


def test_a_movie_held_by_imdb_id_counts_as_listed(synced):
    synced.IMPORT_LIST_CLEAN_LEVEL = "keep_and_unmonitor"
    config = ImportList.objects.get()
    config.items.update(imdb_id="tt0113277")
    Movie.objects.create(title="Heat", tmdb_id=949, imdb_id="tt0113277")
    clean.clean_library()
    assert Movie.objects.get().monitored is True


def test_nothing_is_cleaned_while_a_list_failed_its_last_sync(synced):
    synced.IMPORT_LIST_CLEAN_LEVEL = "keep_and_unmonitor"
    ImportList.objects.update(last_sync_error="Trakt had a server error (HTTP 503)")
    result = clean.clean_library()
    assert (result.ran, result.why_not) == (False, "a list has not synced successfully yet")
    assert Series.objects.get(tvdb_id=1).monitored is True


def test_a_sync_cleans_the_library_afterwards(synced):
    synced.IMPORT_LIST_CLEAN_LEVEL = "keep_and_unmonitor"
    sync.sync_list(ImportList.objects.get())
    assert Series.objects.get(tvdb_id=1).monitored is False
