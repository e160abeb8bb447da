"""The console's download queue page and remote path mapping admin."""

from __future__ import annotations

import pytest

from integrations.downloadclients.base import DownloadStatus as S
from integrations.downloadclients.models import Download
from tests.fakes import FakeClient

pytestmark = pytest.mark.django_db
QUEUE = "/admin/downloadclients/download/"


def test_queue_page_shows_items_with_status_progress_and_path(console_for, make_client):
    make_client()
    FakeClient.put(
        "box",
        "a",
        title="The.Show.S01E02",
        status=S.DOWNLOADING,
        progress=0.25,
        output_path="/dl/The.Show.S01E02",
        eta=90,
        download_speed=2048,
    )
    response = console_for("operator").post(QUEUE + "refresh/")
    assert response.status_code == 302
    page = console_for("viewer").get(QUEUE).content.decode()
    assert "The.Show.S01E02" in page and "/dl/The.Show.S01E02" in page
    assert 'value="25.0"' in page and "idk-pill--info" in page and "1m 30s" in page


def test_refresh_button_is_shown_to_operators_only(console_for):
    assert 'id="refresh-queue"' in console_for("operator").get(QUEUE).content.decode()
    assert 'id="refresh-queue"' not in console_for("viewer").get(QUEUE).content.decode()


def test_viewer_cannot_refresh(console_for, make_client):
    assert console_for("viewer").post(QUEUE + "refresh/").status_code == 403


def test_refresh_polls_the_clients(console_for, make_client):
    make_client()
    FakeClient.put("box", "a")
    console_for("operator").post(QUEUE + "refresh/")
    assert Download.objects.filter(download_id="a").exists()


def test_unknown_item_shows_the_client_error(console_for, make_client):
    config = make_client()
    FakeClient.put("box", "a")
    operator = console_for("operator")
    operator.post(QUEUE + "refresh/")
    config.settings["mode"] = "down"
    config.save()
    operator.post(QUEUE + "refresh/")
    page = operator.get(QUEUE).content.decode()
    assert "Cannot reach Fake client" in page and ">unknown<" in page


def test_dashboard_links_the_queue(console_for):
    assert 'id="download-queue-link"' in console_for("viewer").get("/admin/").content.decode()


def test_operator_can_add_a_remote_path_mapping(console_for):
    response = console_for("operator").post(
        "/admin/downloadclients/remotepathmapping/add/",
        {"host": "nas", "remote_path": "D:\\dl", "local_path": "/mnt/dl"},
    )
    assert response.status_code == 302
    from integrations.downloadclients.models import RemotePathMapping

    assert RemotePathMapping.objects.get().remote_path == "D:\\dl\\"


def test_mapping_form_rejects_a_relative_path(console_for):
    response = console_for("operator").post(
        "/admin/downloadclients/remotepathmapping/add/",
        {"host": "nas", "remote_path": "dl", "local_path": "/mnt/dl"},
    )
    assert response.status_code == 200
    assert "must be absolute" in response.content.decode()
