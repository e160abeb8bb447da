"""Caps are cached on the indexer row: stored by a passed Test and by searches, used for a
day, then read again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.indexers.models import Indexer
from tests.indexerserver import indexer_server  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True)]


def create(api, srv, name="Local"):
    return api.post(
        "/api/v1/indexers/",
        {
            "name": name,
            "kind": "torznab",
            "settings": {"base_url": srv.url, "api_key": srv.api_key},
        },
        content_type="application/json",
    )


def test_adding_an_indexer_stores_the_caps_its_test_read(api_client_for, indexer_server):
    srv = indexer_server(title="Local Jackett-ish")
    response = create(api_client_for("operator"), srv)
    assert response.status_code == 201
    config = Indexer.objects.get(pk=response.json()["id"])
    assert config.caps["server_title"] == "Local Jackett-ish"
    assert config.cached_caps().supports_tvdb_search is True


def test_testing_a_saved_indexer_refreshes_its_caps(api_client_for, indexer_server):
    srv = indexer_server()
    api = api_client_for("operator")
    pk = create(api, srv).json()["id"]
    Indexer.objects.filter(pk=pk).update(caps={}, caps_fetched_at=None)
    assert api.post(f"/api/v1/indexers/{pk}/test").json()["ok"] is True
    assert Indexer.objects.get(pk=pk).caps_fetched_at is not None


def test_a_failed_test_keeps_the_cached_caps(api_client_for, indexer_server):
    srv = indexer_server()
    api = api_client_for("operator")
    pk = create(api, srv).json()["id"]
    before = Indexer.objects.get(pk=pk).caps_fetched_at
    srv.fault("http", status=500)
    assert api.post(f"/api/v1/indexers/{pk}/test").json()["ok"] is False
    assert Indexer.objects.get(pk=pk).caps_fetched_at == before


def test_caps_older_than_a_day_are_not_used(api_client_for, indexer_server):
    srv = indexer_server()
    pk = create(api_client_for("operator"), srv).json()["id"]
    Indexer.objects.filter(pk=pk).update(caps_fetched_at=timezone.now() - timedelta(days=2))
    assert Indexer.objects.get(pk=pk).cached_caps() is None


def test_the_caps_endpoint_serves_the_cache_without_asking_the_indexer(
    api_client_for, indexer_server
):
    srv = indexer_server()
    api = api_client_for("operator")
    pk = create(api, srv).json()["id"]
    asked = len(srv.api_requests("caps"))
    data = api.get(f"/api/v1/indexers/{pk}/caps").json()
    assert data["flags"]["supports_season_search"] is True
    assert len(srv.api_requests("caps")) == asked


def test_the_caps_endpoint_reads_again_on_refresh(api_client_for, indexer_server):
    srv = indexer_server()
    api = api_client_for("operator")
    pk = create(api, srv).json()["id"]
    asked = len(srv.api_requests("caps"))
    api.get(f"/api/v1/indexers/{pk}/caps?refresh=true")
    assert len(srv.api_requests("caps")) == asked + 1
