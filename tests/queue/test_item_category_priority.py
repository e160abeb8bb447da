"""POST /download-clients/queue/{id}/category and /priority."""

from __future__ import annotations

import pytest

from tests.fakes import FakeClient

from .conftest import post

pytestmark = pytest.mark.django_db
BASE = "/api/v1/download-clients/"


def _one_item(api, **fields) -> int:
    FakeClient.put("box", "a", **fields)
    return post(api, BASE + "queue/refresh").json()[0]["id"]


def test_category_moves_the_item_on_its_client_and_returns_it_refreshed(operator_api, make_client):
    make_client()
    item_id = _one_item(operator_api, category="tv")
    response = post(operator_api, BASE + f"queue/{item_id}/category", {"category": "movies"})
    assert response.status_code == 200, response.json()
    assert response.json()["category"] == "movies"
    assert FakeClient.calls == [("set_category", "box", "a", "movies")]


def test_category_on_a_client_without_categories_is_422_unsupported(operator_api, make_client):
    make_client(categories=False)
    item_id = _one_item(operator_api, category="tv")
    response = post(operator_api, BASE + f"queue/{item_id}/category", {"category": "movies"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "unsupported"
    assert body["message"] == "Fake client has no categories"
    assert FakeClient.calls == []


def test_category_is_required(operator_api, make_client):
    make_client()
    item_id = _one_item(operator_api)
    assert post(operator_api, BASE + f"queue/{item_id}/category", {}).status_code == 422


@pytest.mark.parametrize("priority", ["top", "high", "normal", "low", "bottom"])
def test_priority_reaches_the_client(operator_api, make_client, priority):
    make_client()
    item_id = _one_item(operator_api)
    response = post(operator_api, BASE + f"queue/{item_id}/priority", {"priority": priority})
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == item_id
    assert FakeClient.calls == [("set_priority", "box", "a", priority)]


def test_unknown_priority_is_422_and_never_reaches_the_client(operator_api, make_client):
    make_client()
    item_id = _one_item(operator_api)
    response = post(operator_api, BASE + f"queue/{item_id}/priority", {"priority": "urgent"})
    assert response.status_code == 422
    assert FakeClient.calls == []


def test_priority_on_a_client_without_priorities_is_422_unsupported(
    operator_api, make_client, monkeypatch
):
    from integrations.downloadclients.base import DownloadClient

    monkeypatch.setattr(FakeClient, "set_priority", DownloadClient.set_priority)
    make_client()
    item_id = _one_item(operator_api)
    response = post(operator_api, BASE + f"queue/{item_id}/priority", {"priority": "top"})
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["message"]) == (
        "unsupported",
        "Fake client has no priorities",
    )


def test_category_the_client_rejects_is_502(operator_api, make_client):
    make_client()
    item_id = _one_item(operator_api)
    del FakeClient.queues["box"]["a"]
    response = post(operator_api, BASE + f"queue/{item_id}/category", {"category": "x"})
    assert response.status_code == 502
    assert response.json()["code"] == "not_found"
    assert "no download a" in response.json()["message"]


def test_priority_on_an_unreachable_client_is_502(operator_api, make_client):
    config = make_client()
    item_id = _one_item(operator_api)
    config.apply_settings(FakeClient.Settings(host="nas.local", mode="down"))
    config.save()
    from integrations import health

    health.providers.clear()
    response = post(operator_api, BASE + f"queue/{item_id}/priority", {"priority": "top"})
    assert response.status_code == 502
    assert response.json()["code"] == "connection_failed"


def test_unknown_item_is_404(operator_api):
    response = post(operator_api, BASE + "queue/999/category", {"category": "tv"})
    assert response.status_code == 404
    assert post(operator_api, BASE + "queue/999/priority", {"priority": "top"}).status_code == 404


def test_viewer_cannot_change_category_or_priority(api_client_for, operator_api, make_client):
    make_client()
    item_id = _one_item(operator_api)
    viewer = api_client_for("viewer")
    assert post(viewer, BASE + f"queue/{item_id}/category", {"category": "x"}).status_code == 403
    assert post(viewer, BASE + f"queue/{item_id}/priority", {"priority": "top"}).status_code == 403
    assert FakeClient.calls == []
