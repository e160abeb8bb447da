"""/api/v1/remote-path-mappings/ CRUD with validation."""

from __future__ import annotations

import pytest

from integrations.downloadclients.models import RemotePathMapping

from .conftest import post, put

pytestmark = pytest.mark.django_db
BASE = "/api/v1/remote-path-mappings/"
GOOD = {"host": "nas.local", "remote_path": "/downloads", "local_path": "/mnt/dl"}


def test_create_normalises_and_returns_201(operator_api):
    response = post(operator_api, BASE, GOOD)
    assert response.status_code == 201
    assert response.json()["remote_path"] == "/downloads/"


def test_list_and_get(operator_api):
    mapping_id = post(operator_api, BASE, GOOD).json()["id"]
    assert [m["id"] for m in operator_api.get(BASE).json()] == [mapping_id]
    assert operator_api.get(BASE + f"{mapping_id}").json()["local_path"] == "/mnt/dl/"


def test_relative_path_is_422_naming_the_field(operator_api):
    response = post(operator_api, BASE, {**GOOD, "remote_path": "downloads"})
    assert response.status_code == 422
    assert response.json()["details"]["errors"][0]["field"] == "remote_path"


def test_duplicate_host_and_remote_path_is_422(operator_api):
    post(operator_api, BASE, GOOD)
    assert post(operator_api, BASE, {**GOOD, "remote_path": "/downloads/"}).status_code == 422


def test_put_replaces_the_mapping(operator_api):
    mapping_id = post(operator_api, BASE, GOOD).json()["id"]
    response = put(operator_api, BASE + f"{mapping_id}", {**GOOD, "local_path": "/srv/dl"})
    assert response.status_code == 200
    assert RemotePathMapping.objects.get().local_path == "/srv/dl/"


def test_delete_removes_the_mapping(operator_api):
    mapping_id = post(operator_api, BASE, GOOD).json()["id"]
    assert operator_api.delete(BASE + f"{mapping_id}").status_code == 204
    assert not RemotePathMapping.objects.exists()


def test_unknown_mapping_is_404(operator_api):
    assert operator_api.get(BASE + "999").status_code == 404


def test_viewer_can_list_but_not_create(api_client_for):
    viewer = api_client_for("viewer")
    assert viewer.get(BASE).status_code == 200
    assert post(viewer, BASE, GOOD).status_code == 403
