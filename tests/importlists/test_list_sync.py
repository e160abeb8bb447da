"""The import-list sync with test-only kinds: what is added where, what is skipped
and why, ids mapped through the metadata sources, and what a sync records."""

from __future__ import annotations

import pytest

from idkarr.library.models import Movie, QualityProfile, RootFolder, Series
from importlists import sync
from importlists.models import ImportList, ImportListExclusion, ListedItem
from integrations.errors import ConfigurationError, ServerError
from integrations.metadata.base import MovieMetadata, SeriesMetadata
from notifications.models import Event
from tests.importlists.conftest import FakeMetadata, episode, make_list, make_source
from tests.mediaservers.conftest import fake_media_kind, make_server  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_kinds")]

BREAKING = {"media_type": "series", "title": "Breaking Bad", "year": 2008, "tvdb_id": 81189}
FILM = {"media_type": "movie", "title": "Heat", "year": 1995, "tmdb_id": 949}


@pytest.fixture
def root():
    return RootFolder.objects.create(path="/data/tv")


def adding_list(root, items, **settings):
    return make_list(items=items, root_folder_id=root.pk, **settings)


def outcomes(config):
    return [(i.title, i.outcome, i.detail) for i in ListedItem.objects.filter(import_list=config)]


def test_a_listed_series_is_added_under_the_root_folder(root):
    profile = QualityProfile.objects.create(name="HD")
    result = sync.sync_list(adding_list(root, [BREAKING], quality_profile_id=profile.pk))
    series = Series.objects.get()
    assert (series.tvdb_id, series.path, series.quality_profile, series.monitored) == (
        81189,
        "/data/tv/Breaking Bad (2008)",
        profile,
        True,
    )
    assert (result.found, result.added) == (1, 1)


def test_an_added_series_takes_the_lists_tags(root):
    sync.sync_list(adding_list(root, [BREAKING], tags=("kids",)))
    assert [t.label for t in Series.objects.get().tags.all()] == ["kids"]


def test_the_add_event_carries_the_lists_tags(root):
    sync.sync_list(adding_list(root, [BREAKING], tags=("kids",)))
    event = Event.objects.get()
    assert (event.tags, event.payload["series"]["tags"]) == (["kids"], ["kids"])


def test_an_added_series_is_announced_with_a_series_add_event(root):
    sync.sync_list(adding_list(root, [BREAKING]))
    event = Event.objects.get()
    assert (event.event_type, event.payload["series"]["tvdbId"], event.source) == (
        "series_add",
        81189,
        "importlist:Watchlist",
    )


def test_a_listed_movie_is_added_by_its_tmdb_id(root):
    sync.sync_list(adding_list(root, [FILM]))
    movie = Movie.objects.get()
    assert (movie.tmdb_id, movie.path) == (949, "/data/tv/Heat (1995)")


def test_a_series_already_in_the_library_is_not_added_again(root):
    Series.objects.create(title="Breaking Bad", tvdb_id=81189)
    result = sync.sync_list(adding_list(root, [BREAKING]))
    assert (result.added, result.existing, Series.objects.count()) == (0, 1, 1)


def test_an_excluded_series_is_not_added(root):
    ImportListExclusion.objects.create(media_type="series", tvdb_id=81189, title="Breaking Bad")
    config = adding_list(root, [BREAKING])
    result = sync.sync_list(config)
    assert (result.excluded, Series.objects.count()) == (1, 0)
    assert outcomes(config) == [("Breaking Bad", "excluded", "On the exclusion list")]


def test_an_entry_listed_twice_is_added_once(root):
    result = sync.sync_list(adding_list(root, [BREAKING, BREAKING]))
    assert (result.added, result.existing, Series.objects.count()) == (1, 1, 1)


def test_a_list_that_does_not_add_only_records_its_entries(root):
    config = make_list(items=[BREAKING], enable_automatic_add=False)
    result = sync.sync_list(config)
    assert (result.listed, Series.objects.count()) == (1, 0)
    assert ImportList.objects.get().enable_automatic_add is False


def test_a_list_that_adds_without_a_root_folder_says_to_choose_one():
    config = make_list(items=[BREAKING])
    with pytest.raises(ConfigurationError, match="has no root folder: choose one"):
        sync.sync_list(config)
    config.refresh_from_db()
    assert (
        config.last_sync_error == "Watchlist adds automatically but has no root folder: choose one"
    )


def test_an_imdb_only_entry_gets_its_tvdb_id_from_a_metadata_source(root):
    make_source()
    FakeMetadata.catalogue = [
        SeriesMetadata(
            id="81189", title="Breaking Bad", year=2008, tvdb_id=81189, imdb_id="tt0903747"
        )
    ]
    sync.sync_list(adding_list(root, [{"media_type": "series", "imdb_id": "tt0903747"}]))
    series = Series.objects.get()
    assert (series.tvdb_id, series.title, series.imdb_id) == (81189, "Breaking Bad", "tt0903747")


def test_an_imdb_only_movie_gets_its_tmdb_id_from_a_metadata_source(root):
    make_source()
    FakeMetadata.catalogue = [
        MovieMetadata(id="949", title="Heat", year=1995, tmdb_id=949, imdb_id="tt0113277")
    ]
    sync.sync_list(adding_list(root, [{"media_type": "movie", "imdb_id": "tt0113277"}]))
    assert Movie.objects.get().tmdb_id == 949


def test_an_entry_nobody_knows_is_not_found(root):
    make_source()
    config = adding_list(root, [{"media_type": "series", "title": "Obscure", "imdb_id": "tt1"}])
    result = sync.sync_list(config)
    assert result.not_found == 1
    assert outcomes(config) == [("Obscure", "not_found", "No TVDB id found for Obscure")]


def test_without_a_metadata_source_the_not_found_entry_says_to_add_one(root):
    config = adding_list(root, [{"media_type": "series", "title": "Obscure", "imdb_id": "tt1"}])
    sync.sync_list(config)
    assert outcomes(config)[0][2] == (
        "No TVDB id found for Obscure: add a metadata source (TheTVDB or TMDB) to look it up"
    )


def test_a_metadata_source_that_is_down_makes_an_error_entry_tried_next_time(root):
    make_source(mode="down")
    config = adding_list(root, [{"media_type": "series", "title": "Later", "imdb_id": "tt2"}])
    result = sync.sync_list(config)
    assert result.errors == [
        {
            "title": "Later",
            "error": "No metadata source could answer (Meta: Meta had a server error (HTTP 500))",
        }
    ]
    assert Series.objects.count() == 0


def test_an_added_series_gets_its_episodes_from_the_metadata_source(root):
    make_source()
    FakeMetadata.catalogue = [SeriesMetadata(id="81189", title="Breaking Bad", tvdb_id=81189)]
    FakeMetadata.episode_lists = {
        "81189": [episode(0, 1), episode(1, 1), episode(1, 2), episode(2, 1)]
    }
    sync.sync_list(adding_list(root, [BREAKING], monitor="pilot"))
    series = Series.objects.get()
    monitored = series.episodes.filter(monitored=True).values_list(
        "season_number", "episode_number"
    )
    assert (series.episodes.count(), list(monitored)) == (4, [(1, 1)])
    assert list(series.seasons.values_list("number", "monitored")) == [
        (0, False),
        (1, True),
        (2, False),
    ]


def test_a_list_that_monitors_nothing_adds_an_unmonitored_series(root):
    sync.sync_list(adding_list(root, [BREAKING], monitor="none"))
    assert Series.objects.get().monitored is False


def test_a_list_that_cannot_be_read_records_why_and_raises(root):
    config = adding_list(root, [BREAKING], mode="down")
    with pytest.raises(ServerError):
        sync.sync_list(config)
    config.refresh_from_db()
    assert config.last_sync_error == "Watchlist had a server error (HTTP 503)"


def test_credentials_the_list_rotated_are_saved(root):
    config = adding_list(root, [BREAKING], token="t1")
    sync.sync_list(config)
    assert ImportList.objects.get().validated_settings().token == "t1+"


def test_a_sync_replaces_what_the_list_held_before(root):
    config = adding_list(root, [BREAKING])
    sync.sync_list(config)
    settings = config.validated_settings().model_dump()
    config.apply_settings(
        type(config.validated_settings()).model_validate({**settings, "items": [FILM]})
    )
    config.save()
    sync.sync_list(config)
    assert [i.title for i in ListedItem.objects.filter(import_list=config)] == ["Heat"]


def test_a_sync_records_its_counts_on_the_list(root):
    config = adding_list(root, [BREAKING, FILM])
    sync.sync_list(config)
    config.refresh_from_db()
    assert (config.last_result["found"], config.last_result["added"], config.last_sync_error) == (
        2,
        2,
        "",
    )


def test_an_added_series_makes_media_servers_scan_its_folder(root, fake_media_kind):
    from integrations.mediaservers.models import LibraryUpdate

    make_server("Plex")
    sync.sync_list(adding_list(root, [BREAKING]))
    assert [u.change["path"] for u in LibraryUpdate.objects.all()] == [
        "/data/tv/Breaking Bad (2008)"
    ]
