"""The add path picks the category by media type and the priority by release age."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from idkarr.library.models import Episode, Movie, Series
from integrations.downloadclients.base import AddRequest, Priority
from integrations.downloadclients.providers.qbittorrent import QBittorrent
from integrations.manager import manager
from tests.fakes import RIGHT_PASSWORD, FakeClient

pytestmark = pytest.mark.django_db


def qbit(**settings) -> QBittorrent:
    return QBittorrent(QBittorrent.Settings(**settings))


def test_media_type_picks_the_movie_category():
    req = qbit(movie_category="films").with_defaults(AddRequest(magnet="m", media_type="movie"))
    assert req.category == "films"


def test_anime_falls_back_to_the_tv_category_when_unset():
    req = qbit(tv_category="tv", anime_category="").with_defaults(
        AddRequest(magnet="m", media_type="anime")
    )
    assert req.category == "tv"


def test_an_explicit_category_wins():
    req = qbit().with_defaults(AddRequest(magnet="m", media_type="movie", category="mine"))
    assert req.category == "mine"


def test_recent_release_gets_the_recent_priority():
    req = qbit(recent_priority="top", older_priority="low").with_defaults(
        AddRequest(magnet="m", recent=True)
    )
    assert req.priority == Priority.TOP


def test_older_release_gets_the_older_priority():
    req = qbit(recent_priority="top", older_priority="low").with_defaults(
        AddRequest(magnet="m", recent=False)
    )
    assert req.priority == Priority.LOW


@pytest.fixture
def client_row(fake_providers):
    config, _ = manager.register(
        "download_client",
        name="box",
        kind="fakeclient",
        settings={"password": RIGHT_PASSWORD, "movie_category": "films", "recent_priority": "high"},
        test=False,
    )
    return config


def add(client, config, **body):
    return client.post(
        f"/api/v1/download-clients/{config.pk}/add",
        data=json.dumps({"magnet": "magnet:?xt=urn:btih:" + "a" * 40, **body}),
        content_type="application/json",
    )


def test_api_add_for_a_movie_uses_the_movie_category(operator_api, client_row, monkeypatch):
    seen = []
    monkeypatch.setattr(FakeClient, "add", lambda self, req: seen.append(req) or "a" * 40)
    movie = Movie.objects.create(title="Film", year=2024)
    assert add(operator_api, client_row, movie_id=movie.pk).status_code == 201
    assert seen[0].category == "films"


def test_api_add_for_a_recently_aired_episode_uses_the_recent_priority(
    operator_api, client_row, monkeypatch
):
    seen = []
    monkeypatch.setattr(FakeClient, "add", lambda self, req: seen.append(req) or "a" * 40)
    series = Series.objects.create(title="Show", tvdb_id=1)
    episode = Episode.objects.create(
        series=series,
        season_number=1,
        episode_number=1,
        air_date=timezone.localdate() - timedelta(days=2),
    )
    add(operator_api, client_row, series_id=series.pk, episode_ids=[episode.pk])
    assert (seen[0].recent, seen[0].priority) == (True, Priority.HIGH)
