"""The blocklist in the console: its own page, and a marked result on the Search page
whose button says it grabs anyway."""

from __future__ import annotations

import pytest

from integrations.downloadclients.models import BlocklistedRelease
from tests.indexers.fake_indexer import fake_indexer_kind, make_indexer  # noqa: F401
from tests.indexers.test_console_search import FORM, staff

pytestmark = pytest.mark.django_db

TITLE = "Show.S01E01.1080p.WEB-DL.x264-GRP"


def blocklisted(indexer) -> BlocklistedRelease:
    return BlocklistedRelease.objects.create(
        title=TITLE, indexer_id=indexer.pk, indexer_name=indexer.name, source="failed"
    )


@pytest.mark.usefixtures("fake_indexer_kind")
def test_a_blocklisted_result_offers_grab_anyway(client):
    blocklisted(make_indexer("A", items=[f"a1|{TITLE}"]))
    staff("operator", client)
    html = client.get(
        "/admin/indexers/indexer/search/", {**FORM, "type": "search", "q": "Show"}
    ).content.decode()
    assert ">Grab anyway<" in html and ">Grab<" not in html


@pytest.mark.usefixtures("fake_indexer_kind")
def test_viewers_see_the_blocklist_page(client):
    blocklisted(make_indexer("A"))
    staff("viewer", client)
    page = client.get("/admin/downloadclients/blocklistedrelease/")
    assert page.status_code == 200 and TITLE in page.content.decode()


@pytest.mark.usefixtures("fake_indexer_kind")
def test_operators_may_delete_blocklist_entries_and_viewers_may_not(client):
    entry = blocklisted(make_indexer("A"))
    url = f"/admin/downloadclients/blocklistedrelease/{entry.pk}/delete/"
    staff("viewer", client)
    assert client.get(url).status_code == 403
    staff("operator", client)
    client.post(url, {"post": "yes"})
    assert not BlocklistedRelease.objects.exists()
