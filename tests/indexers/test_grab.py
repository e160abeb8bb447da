"""Grab: the release goes through its indexer to a client picked by protocol and
client priority; the queue row is marked grabbed and a ``grab`` event is emitted."""

from __future__ import annotations

import pytest

from integrations.downloadclients.models import Download, DownloadClient
from integrations.errors import ConfigurationError, NotFoundError
from integrations.indexers.base import Protocol, SearchResult
from integrations.indexers.grab import choose_client, grab, media_type_of
from notifications.models import Event
from tests.fakes import RIGHT_PASSWORD, FakeClient
from tests.indexers.fake_indexer import fake_indexer_kind, make_indexer  # noqa: F401

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fake_indexer_kind", "fake_providers"),
]

KEY = "the-indexer-key-123"


@pytest.fixture(autouse=True)
def _reset():
    FakeClient.reset()


def client(name: str, priority: int = 1, enabled: bool = True) -> DownloadClient:
    config = DownloadClient(name=name, kind="fakeclient", enabled=enabled)
    config.apply_settings(
        FakeClient.Settings.model_validate(
            {"password": RIGHT_PASSWORD, "client_priority": priority}
        )
    )
    config.save()
    return config


def release(indexer, **kw) -> SearchResult:
    values = dict(
        indexer_id=indexer.pk,
        indexer_name=indexer.name,
        guid="g1",
        title="Show.S01E01.1080p.WEB-DL.x264-GRP",
        size=1_500_000_000,
        publish_date=None,
        download_url="http://127.0.0.1:9/dl/g1?apikey={secret:api_key}",
        protocol=Protocol.TORRENT,
        categories=[5040],
    )
    values.update(kw)
    return SearchResult(**values)


def test_grab_sends_the_release_to_the_client():
    c = client("qbit")
    outcome = grab(release(make_indexer("idx", api_key=KEY)))
    assert (outcome.client.pk, outcome.download_id) == (c.pk, "a" * 40)
    assert FakeClient.added[0][1].magnet.startswith("magnet:?xt=urn:btih:")


def test_grab_fetches_through_the_indexer_with_the_real_key(fake_indexer_kind):
    client("qbit")
    grab(release(make_indexer("idx", api_key=KEY)))
    assert fake_indexer_kind.downloads == [f"http://127.0.0.1:9/dl/g1?apikey={KEY}"]


def test_grab_marks_the_queue_row_grabbed():
    client("qbit")
    outcome = grab(release(make_indexer("idx")))
    row = Download.objects.get(pk=outcome.item.pk)
    assert row.grabbed and row.title == "Show.S01E01.1080p.WEB-DL.x264-GRP"


def test_grab_emits_a_grab_event_with_the_release():
    client("qbit")
    grab(release(make_indexer("idx")))
    event = Event.objects.get(event_type="grab")
    assert event.payload["release"]["releaseTitle"] == "Show.S01E01.1080p.WEB-DL.x264-GRP"
    assert event.payload["release"]["indexer"] == "idx"
    assert event.payload["downloadClient"] == "qbit"


def test_grab_picks_the_tv_category_from_tv_categories():
    client("qbit")
    grab(release(make_indexer("idx")))
    assert FakeClient.added[0][1].category == "tv-idkarr"


def test_grab_picks_the_movie_category_for_movie_releases():
    client("qbit")
    grab(release(make_indexer("idx"), categories=[2040]))
    assert FakeClient.added[0][1].category == "movies-idkarr"


def test_the_lowest_client_priority_wins():
    client("second", priority=2)
    first = client("first", priority=1)
    assert choose_client("torrent") == first


def test_clients_with_equal_priority_take_turns():
    a, b = client("a"), client("b")
    idx = make_indexer("idx")
    picked = [grab(release(idx, guid=f"g{n}")).client.pk for n in range(2)]
    assert sorted(picked) == sorted([a.pk, b.pk])


def test_a_disabled_client_is_not_chosen():
    client("off", enabled=False)
    with pytest.raises(ConfigurationError, match="No enabled download client takes torrent"):
        choose_client("torrent")


def test_no_client_for_usenet_is_a_clear_error():
    client("qbit")
    with pytest.raises(ConfigurationError, match="usenet"):
        choose_client("usenet")


def test_a_named_client_that_cannot_take_the_protocol_is_refused():
    c = client("qbit")
    with pytest.raises(ConfigurationError, match="cannot download usenet releases"):
        choose_client("usenet", c.pk)


def test_a_release_of_a_deleted_indexer_cannot_be_grabbed():
    client("qbit")
    idx = make_indexer("idx")
    r = release(idx)
    idx.delete()
    with pytest.raises(NotFoundError, match="no longer exists"):
        grab(r)


def test_media_type_prefers_anime_category():
    idx_result = SearchResult(None, "", "g", "t", 1, None, "", Protocol.TORRENT, categories=[5070])
    assert media_type_of(idx_result) == "anime"


# -- the indexer's own download client (Sonarr's per-indexer download client) ----------
def test_an_indexer_sends_its_grabs_to_the_client_its_settings_name():
    client("first", priority=1)
    pinned = client("pinned", priority=9)
    outcome = grab(release(make_indexer("idx", download_client_id=pinned.pk)))
    assert outcome.client == pinned


def test_a_client_named_in_the_grab_overrides_the_indexers_client():
    named = client("named", priority=9)
    pinned = client("pinned", priority=1)
    outcome = grab(release(make_indexer("idx", download_client_id=pinned.pk)), client_id=named.pk)
    assert outcome.client == named


def test_an_indexers_client_that_is_disabled_is_a_clear_error():
    client("other")
    off = client("off", enabled=False)
    with pytest.raises(ConfigurationError, match="download client off, which is disabled"):
        grab(release(make_indexer("idx", download_client_id=off.pk)))
    assert FakeClient.added == []


def test_an_indexers_client_that_was_deleted_is_a_clear_error():
    gone = client("gone")
    idx = make_indexer("idx", download_client_id=gone.pk)
    gone.delete()
    client("other")
    with pytest.raises(ConfigurationError, match="no longer exists; choose another"):
        grab(release(idx))


def test_an_indexers_client_of_the_other_protocol_is_a_clear_error():
    torrents_only = client("qbit")
    idx = make_indexer("idx", download_client_id=torrents_only.pk)
    with pytest.raises(ConfigurationError, match="cannot download usenet releases"):
        grab(release(idx, protocol=Protocol.USENET))


# -- seeding goals ------------------------------------------------------------------------
def test_a_torrents_seeding_minimums_go_to_the_client_with_the_grab():
    client("qbit")
    grab(release(make_indexer("idx"), minimum_ratio=1.0, minimum_seed_time=3601))
    request = FakeClient.added[0][1]
    assert (request.seed_ratio, request.seed_time_minutes) == (1.0, 61)


def test_a_torrent_without_seeding_minimums_leaves_the_clients_defaults():
    client("qbit")
    grab(release(make_indexer("idx")))
    request = FakeClient.added[0][1]
    assert (request.seed_ratio, request.seed_time_minutes) == (None, None)


def test_seeding_minimums_survive_the_grab_token():
    from integrations.indexers.links import grab_token, result_from_token

    token = grab_token(release(make_indexer("idx"), minimum_ratio=0.8, minimum_seed_time=600))
    result = result_from_token(token)
    assert (result.minimum_ratio, result.minimum_seed_time) == (0.8, 600)
