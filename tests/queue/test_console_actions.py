"""Item actions on the console's download queue page: pause, resume, remove (with its
files, with the blocklist), for operators only, each outcome said in a message."""

from __future__ import annotations

import pytest

from integrations.downloadclients.base import DownloadStatus as S
from integrations.downloadclients.models import BlocklistedRelease, Download
from integrations.downloadclients.queue import poll_client, record_poll
from tests.fakes import FakeClient

pytestmark = pytest.mark.django_db
QUEUE = "/admin/downloadclients/download/"


@pytest.fixture
def item(make_client):
    config = make_client()
    FakeClient.put("box", "e" * 40, title="The.Show.S01E02", status=S.DOWNLOADING)
    record_poll(config, poll_client(config))
    return Download.objects.get()


def act(console, item, **form):
    return console.post(f"{QUEUE}{item.pk}/act/", form, follow=True)


def test_operators_see_the_actions_of_each_item(console_for, item):
    page = console_for("operator").get(QUEUE).content.decode()
    assert 'value="pause"' in page and 'value="remove"' in page


def test_viewers_see_no_actions(console_for, item):
    assert 'value="remove"' not in console_for("viewer").get(QUEUE).content.decode()


def test_viewers_may_not_act(console_for, item):
    assert (
        console_for("viewer").post(f"{QUEUE}{item.pk}/act/", {"action": "pause"}).status_code == 403
    )


def test_pause_pauses_the_item_on_its_client_and_shows_it(console_for, item):
    page = act(console_for("operator"), item, action="pause").content.decode()
    assert FakeClient.calls[-1] == ("pause", "box", "e" * 40)
    assert "Paused The.Show.S01E02 on box." in page
    assert Download.objects.get().status == "paused"


def test_a_paused_item_offers_resume(console_for, item):
    console = console_for("operator")
    act(console, item, action="pause")
    assert 'value="resume"' in console.get(QUEUE).content.decode()


def test_remove_with_files_and_blocklist_does_both(console_for, item):
    page = act(
        console_for("operator"), item, action="remove", delete_data="1", blocklist="1"
    ).content.decode()
    assert FakeClient.calls[-1] == ("remove", "box", "e" * 40, True)
    assert BlocklistedRelease.objects.filter(infohash="e" * 40, source="manual").exists()
    assert "with its files; its release is on the blocklist." in page


def test_remove_alone_keeps_the_files_and_the_blocklist_empty(console_for, item):
    act(console_for("operator"), item, action="remove")
    assert FakeClient.calls[-1] == ("remove", "box", "e" * 40, False)
    assert not BlocklistedRelease.objects.exists()
    assert Download.objects.get().removed_at is not None


def test_a_client_error_is_shown_with_the_client_name(console_for, item):
    del FakeClient.queues["box"]["e" * 40]
    page = act(console_for("operator"), item, action="pause").content.decode()
    assert "box: fake client has no download" in page.lower()
