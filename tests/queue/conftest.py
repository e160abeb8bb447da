"""Queue-tracking fixtures: fake clients with an in-memory queue, library rows."""

from __future__ import annotations

import json

import pytest

from integrations import health
from integrations.downloadclients.models import DownloadClient
from tests.fakes import RIGHT_PASSWORD, FakeClient


@pytest.fixture(autouse=True)
def fresh_fakes(fake_providers):
    FakeClient.reset()
    health.providers.clear()
    yield
    health.providers.clear()
    FakeClient.reset()


@pytest.fixture
def make_client(db):
    def build(name="box", *, enabled=True, **settings) -> DownloadClient:
        values = {"host": "nas.local", "password": RIGHT_PASSWORD, **settings}
        config = DownloadClient(name=name, kind="fakeclient", enabled=enabled)
        config.apply_settings(FakeClient.Settings(**values))
        config.save()
        return config

    return build


@pytest.fixture
def series(db):
    from idkarr.library.models import Episode, Series

    show = Series.objects.create(title="The Show", year=2024, tvdb_id=101, path="/tv/The Show")
    Episode.objects.create(series=show, season_number=1, episode_number=2, title="Pilot part 2")
    return show


@pytest.fixture
def movie(db):
    from idkarr.library.models import Movie

    return Movie.objects.create(title="The Movie", year=2023, tmdb_id=550, path="/movies/The Movie")


def post(client, url, data=None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


def put(client, url, data):
    return client.put(url, data=json.dumps(data), content_type="application/json")
