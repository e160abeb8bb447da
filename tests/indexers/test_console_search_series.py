"""The console's Search page for a library series: its ids fill the query, its tags pick
the indexers, and a grab from the results goes to a download client its tags allow."""

from __future__ import annotations

import pytest

from idkarr.library.models import Series, Tag
from integrations.downloadclients.models import DownloadClient
from tests.fakes import RIGHT_PASSWORD, FakeClient
from tests.indexers.fake_indexer import FakeIndexer, fake_indexer_kind, make_indexer  # noqa: F401
from tests.indexers.test_console_search import FORM, staff

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fake_indexer_kind", "fake_providers"),
]

TITLE = "Show.S01E01.1080p.WEB-DL.x264-GRP"
SEARCH = "/admin/indexers/indexer/search/"


@pytest.fixture(autouse=True)
def _reset():
    FakeClient.reset()


def anime_series() -> Series:
    show = Series.objects.create(title="Frieren", tvdb_id=424536)
    show.tags.set(Tag.resolve(["anime"]))
    return show


def test_a_series_search_takes_the_series_ids(client):
    make_indexer("A", items=[f"a1|{TITLE}"])
    show = anime_series()
    staff("operator", client)
    client.get(SEARCH, {**FORM, "type": "series", "series": str(show.pk)})
    [(_, query)] = FakeIndexer.searches
    assert query.tvdb_id == 424536


def test_a_series_search_skips_indexers_its_tags_exclude(client):
    make_indexer("general", items=[f"a1|{TITLE}"])
    make_indexer("uhd-only", items=[f"b1|{TITLE}"]).tags.set(Tag.resolve(["4k"]))
    show = anime_series()
    staff("operator", client)
    client.get(SEARCH, {**FORM, "type": "series", "series": str(show.pk)})
    assert [name for name, _ in FakeIndexer.searches] == ["general"]


def test_a_grab_from_a_series_search_goes_to_a_client_its_tags_allow(client):
    make_indexer("A", items=[f"a1|{TITLE}"])
    show = anime_series()
    for name, priority, tags in (("uhd-box", 1, ["4k"]), ("anime-box", 2, ["anime"])):
        config = DownloadClient(name=name, kind="fakeclient")
        config.apply_settings(
            FakeClient.Settings.model_validate(
                {"password": RIGHT_PASSWORD, "client_priority": priority}
            )
        )
        config.save()
        config.tags.set(Tag.resolve(tags))
    staff("operator", client)
    page = client.get(SEARCH, {**FORM, "type": "series", "series": str(show.pk)})
    token = page.context["results"][0]["r"]["grab_token"]
    client.post("/admin/indexers/indexer/grab/", {"token": token, "series": str(show.pk)})
    assert [name for name, _ in FakeClient.added] == ["anime-box"]
