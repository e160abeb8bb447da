"""The per-family CRUD/test/kinds contract of /api/v1/{family}/, on the fake download client."""

from __future__ import annotations

import json

import pytest

from integrations.downloadclients.models import DownloadClient
from tests.fakes import RIGHT_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_providers")]
BASE = "/api/v1/download-clients/"


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data=json.dumps(data), content_type="application/json")


def put(client, url, data):
    return client.put(url, data=json.dumps(data), content_type="application/json")


def good_body(**over):
    body = {
        "name": "box",
        "kind": "fakeclient",
        "enabled": True,
        "tags": ["tv"],
        "settings": {
            "host": "127.0.0.1",
            "port": 9999,
            "username": "u",
            "password": RIGHT_PASSWORD,
        },
    }
    body.update(over)
    return body


def test_create_returns_201_with_secrets_set_and_no_secret(operator_api):
    response = post(operator_api, BASE, good_body())
    assert response.status_code == 201
    data = response.json()
    assert data["secrets_set"] == ["password"]
    assert "password" not in data["settings"]
    assert RIGHT_PASSWORD not in response.content.decode()


def test_create_stores_the_secret_encrypted(operator_api):
    post(operator_api, BASE, good_body())
    row = DownloadClient.objects.get(name="box")
    assert RIGHT_PASSWORD not in row.secrets
    assert row.get_secrets()["password"] == RIGHT_PASSWORD


def test_create_with_unknown_kind_is_400_listing_known_kinds(operator_api):
    response = post(operator_api, BASE, good_body(kind="nosuch"))
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_kind"
    assert "fakeclient" in response.json()["details"]["known_kinds"]


def test_create_with_invalid_setting_is_422_naming_the_field(operator_api):
    response = post(
        operator_api, BASE, good_body(settings={"port": 70000, "password": RIGHT_PASSWORD})
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_settings"
    assert body["details"]["errors"][0]["field"] == "port"


def test_create_with_unknown_setting_is_422(operator_api):
    response = post(
        operator_api, BASE, good_body(settings={"password": RIGHT_PASSWORD, "colour": "red"})
    )
    assert response.status_code == 422
    assert response.json()["details"]["errors"][0]["field"] == "colour"


def test_create_fails_when_connection_test_fails(operator_api):
    response = post(operator_api, BASE, good_body(settings={"password": "wrong"}))
    assert response.status_code == 422
    assert response.json()["code"] == "test_failed"
    assert "rejected the username or password" in response.json()["message"]
    assert not DownloadClient.objects.exists()


def test_create_with_force_saves_despite_failed_test(operator_api):
    response = post(operator_api, BASE + "?force=true", good_body(settings={"password": "wrong"}))
    assert response.status_code == 201


def test_create_disabled_skips_the_connection_test(operator_api):
    response = post(operator_api, BASE, good_body(enabled=False, settings={"mode": "down"}))
    assert response.status_code == 201
    assert response.json()["enabled"] is False


def test_create_with_duplicate_name_is_409(operator_api):
    post(operator_api, BASE, good_body())
    response = post(operator_api, BASE, good_body())
    assert response.status_code == 409


def test_get_returns_settings_tags_and_health(operator_api):
    created = post(operator_api, BASE, good_body()).json()
    data = operator_api.get(f"{BASE}{created['id']}").json()
    assert data["settings"]["port"] == 9999
    assert data["tags"] == ["tv"]
    assert data["health"]["status"] == "unknown"


def test_get_missing_is_404_json(operator_api):
    response = operator_api.get(f"{BASE}999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_list_filters_by_kind_and_enabled(operator_api):
    post(operator_api, BASE, good_body(name="a"))
    post(operator_api, BASE, good_body(name="b", enabled=False))
    names = [c["name"] for c in operator_api.get(BASE + "?enabled=true").json()]
    assert names == ["a"]


def test_patch_without_password_keeps_the_stored_password(operator_api):
    created = post(operator_api, BASE, good_body()).json()
    response = patch(operator_api, f"{BASE}{created['id']}", {"settings": {"port": 1234}})
    assert response.status_code == 200
    row = DownloadClient.objects.get(pk=created["id"])
    assert row.get_secrets()["password"] == RIGHT_PASSWORD
    assert row.settings["port"] == 1234


def test_patch_changes_only_what_is_sent(operator_api):
    created = post(operator_api, BASE, good_body()).json()
    patch(operator_api, f"{BASE}{created['id']}", {"settings": {"port": 1234}})
    data = operator_api.get(f"{BASE}{created['id']}").json()
    assert data["settings"]["username"] == "u"
    assert data["name"] == "box"


def test_patch_with_empty_secret_clears_it(operator_api):
    created = post(operator_api, BASE, good_body()).json()
    data = patch(operator_api, f"{BASE}{created['id']}", {"settings": {"password": ""}}).json()
    assert data["secrets_set"] == []


def test_put_resets_omitted_settings_to_defaults_but_keeps_secrets(operator_api):
    created = post(operator_api, BASE, good_body()).json()
    data = put(
        operator_api, f"{BASE}{created['id']}", good_body(settings={"host": "127.0.0.2"})
    ).json()
    assert data["settings"]["port"] == 8080
    assert data["secrets_set"] == ["password"]


def test_patch_cannot_change_kind(operator_api):
    created = post(operator_api, BASE, good_body()).json()
    response = patch(operator_api, f"{BASE}{created['id']}", {"kind": "qbittorrent"})
    assert response.status_code == 422
    assert response.json()["code"] == "kind_immutable"


def test_delete_is_204_then_404(operator_api):
    created = post(operator_api, BASE, good_body()).json()
    assert operator_api.delete(f"{BASE}{created['id']}").status_code == 204
    assert operator_api.get(f"{BASE}{created['id']}").status_code == 404


def test_test_saved_returns_ok_and_message(operator_api):
    created = post(operator_api, BASE, good_body()).json()
    data = operator_api.post(f"{BASE}{created['id']}/test").json()
    assert data["ok"] is True
    assert data["message"] == "Connected to Fake client 1.2.3"
    assert isinstance(data["latency_ms"], int)


def test_test_saved_returns_200_with_ok_false_when_remote_fails(operator_api):
    created = post(operator_api, BASE + "?force=true", good_body(settings={"mode": "down"})).json()
    response = operator_api.post(f"{BASE}{created['id']}/test")
    assert response.status_code == 200
    assert response.json()["ok"] is False
    assert "Cannot reach" in response.json()["message"]


def test_test_unsaved_uses_stored_secret_of_given_id(operator_api):
    created = post(operator_api, BASE, good_body()).json()
    data = post(
        operator_api,
        BASE + "test",
        {"kind": "fakeclient", "id": created["id"], "settings": {"port": 1}},
    ).json()
    assert data["ok"] is True


def test_test_unsaved_without_secret_fails_honestly(operator_api):
    data = post(operator_api, BASE + "test", {"kind": "fakeclient", "settings": {}}).json()
    assert data["ok"] is False


def test_kinds_lists_schema_with_secret_write_only(operator_api):
    kinds = {k["kind"]: k for k in operator_api.get(BASE + "kinds").json()}
    fake = kinds["fakeclient"]
    assert fake["secret_fields"] == ["password"]
    assert fake["settings_schema"]["properties"]["password"]["writeOnly"] is True


def test_family_health_lists_every_config(operator_api):
    post(operator_api, BASE, good_body())
    rows = operator_api.get(BASE + "health").json()
    assert [(r["name"], r["health"]["status"]) for r in rows] == [("box", "unknown")]


def test_malformed_json_body_is_4xx_json(operator_api):
    response = operator_api.post(BASE, data="{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "code" in response.json() or "detail" in response.json()
