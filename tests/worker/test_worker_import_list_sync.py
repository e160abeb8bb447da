"""An import list synced by a real worker's beat: an IMDb list (a loopback stand-in
serving IMDb's CSV export) whose movies TMDB (the fake TMDB) knows by IMDb id ends up
in the library, announced with movie_add events."""

from __future__ import annotations

import pytest

from idkarr.library.models import Movie, RootFolder
from integrations.manager import manager
from notifications.models import Event
from tests.httpserver import RecordingServer, Reply
from tests.importlists.fake_imdb import CSV_HEADERS, export, row
from tests.metadata.fake_tmdb import API_KEY, fake_tmdb  # noqa: F401
from tests.worker.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

LIST = export(
    [
        row("tt1375666", "Inception", "movie", Position="1", Year="2010"),
        row("tt1160419", "Dune", "movie", Position="2", Year="2021"),
    ]
)


def test_beat_syncs_a_due_list_into_the_library(worker, fake_tmdb):  # noqa: F811
    root = RootFolder.objects.create(path="/data/movies")
    with RecordingServer(default_response=Reply(200, LIST, CSV_HEADERS)) as imdb:
        manager.register(
            "metadata",
            name="TMDB",
            kind="tmdb",
            settings={"api_key": API_KEY, "api_url": fake_tmdb.url},
            test=False,
        )
        manager.register(
            "import_list",
            name="Favourites",
            kind="imdb",
            settings={"api_url": imdb.url, "list_id": "ls012345678", "root_folder_id": root.pk},
            test=False,
        )
        w = worker(IDKARR_IMPORT_LIST_DISPATCH_SECONDS="1")
        wait_for(lambda: Movie.objects.count() == 2, 60, "two movies added", w)
    assert sorted(Movie.objects.values_list("tmdb_id", "path")) == [
        (27205, "/data/movies/Inception (2010)"),
        (438631, "/data/movies/Dune (2021)"),
    ]
    assert Event.objects.filter(event_type="movie_add").count() == 2
