"""Authentication and the role matrix over every endpoint in the OpenAPI schema."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from idkarr.accounts.models import ApiKey
from idkarr.api import api
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_providers")]


def _operations():
    schema = api.get_openapi_schema()
    ops = []
    for path, methods in schema["paths"].items():
        for method in methods:
            ops.append((method.upper(), path))
    return sorted(ops)


OPERATIONS = _operations()
SELF_SERVICE = re.compile(r"^/api/v1/auth/")  # any authenticated user manages their own keys
# POSTs that only compute an answer from their body (nothing stored, nothing sent out).
COMPUTE_ONLY = {("POST", "/api/v1/releases/parse")}
WRITES = [
    op
    for op in OPERATIONS
    if op[0] != "GET" and not SELF_SERVICE.match(op[1]) and op not in COMPUTE_ONLY
]
READS = [op for op in OPERATIONS if op[0] == "GET"]


def call(client: Client, method: str, path: str):
    url = re.sub(r"\{[^}]+\}", "1", path)
    body = json.dumps({})
    return client.generic(method, url, data=body, content_type="application/json")


def test_the_schema_lists_the_family_endpoints():
    paths = {p for _, p in OPERATIONS}
    assert "/api/v1/download-clients/" in paths
    assert "/api/v1/notifications/deliveries" in paths
    assert "/api/v1/events/" in paths


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_endpoint_needs_authentication(method, path):
    assert call(Client(), method, path).status_code == 401


@pytest.mark.parametrize(("method", "path"), READS)
def test_viewer_may_read(api_client_for, method, path):
    assert call(api_client_for("viewer"), method, path).status_code not in (401, 403)


@pytest.mark.parametrize(("method", "path"), sorted(COMPUTE_ONLY))
def test_viewer_may_call_compute_only_posts(api_client_for, method, path):
    assert call(api_client_for("viewer"), method, path).status_code not in (401, 403)


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_viewer_may_not_write(api_client_for, method, path):
    response = call(api_client_for("viewer"), method, path)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_operator_passes_the_role_check_on_writes(api_client_for, method, path):
    assert call(api_client_for("operator"), method, path).status_code not in (401, 403)


def test_user_without_role_is_forbidden_to_read(api_client_for):
    response = call(api_client_for(""), "GET", "/api/v1/download-clients/")
    assert response.status_code == 403


def test_api_key_in_query_parameter_authenticates():
    user = make_user("viewer")
    _, raw = ApiKey.issue(user)
    assert Client().get(f"/api/v1/download-clients/?apikey={raw}").status_code == 200


def test_revoked_api_key_is_refused():
    user = make_user("viewer")
    key, raw = ApiKey.issue(user)
    key.revoke()
    assert Client(HTTP_X_API_KEY=raw).get("/api/v1/download-clients/").status_code == 401


def test_inactive_users_key_is_refused():
    user = make_user("viewer")
    _, raw = ApiKey.issue(user)
    user.is_active = False
    user.save()
    assert Client(HTTP_X_API_KEY=raw).get("/api/v1/download-clients/").status_code == 401


def test_api_key_is_stored_hashed():
    user = make_user("viewer")
    key, raw = ApiKey.issue(user)
    assert raw not in key.key_hash
    assert len(key.key_hash) == 64


def test_session_write_without_csrf_token_is_refused():
    make_user("operator", "op")
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="op", password="pw-operator-123456")
    response = client.post(
        "/api/v1/events/",
        data=json.dumps({"event_type": "manual_test"}),
        content_type="application/json",
    )
    assert response.status_code in (401, 403)


def test_session_write_with_csrf_token_is_accepted():
    make_user("operator", "op")
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="op", password="pw-operator-123456")
    client.get("/admin/")  # the console page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/events/",
        data=json.dumps({"event_type": "manual_test"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201


def test_created_api_key_is_shown_once_and_works():
    make_user("viewer", "v")
    client = Client()
    client.login(username="v", password="pw-viewer-123456")
    created = client.post(
        "/api/v1/auth/api-keys",
        data=json.dumps({"name": "script"}),
        content_type="application/json",
    )
    raw = created.json()["key"]
    listed = client.get("/api/v1/auth/api-keys").content.decode()
    assert raw not in listed
    assert Client(HTTP_X_API_KEY=raw).get("/api/v1/auth/me").json()["role"] == "viewer"


def test_user_cannot_revoke_someone_elses_key():
    other = make_user("viewer", "other")
    key, _ = ApiKey.issue(other)
    me = make_user("operator", "me")
    _, raw = ApiKey.issue(me)
    assert Client(HTTP_X_API_KEY=raw).delete(f"/api/v1/auth/api-keys/{key.pk}").status_code == 404


def test_create_api_key_command_prints_a_working_key(capsys):
    from django.core.management import call_command

    make_user("viewer", "cli-user")
    call_command("create_api_key", "cli-user")
    raw = capsys.readouterr().out.strip()
    assert Client(HTTP_X_API_KEY=raw).get("/api/v1/auth/me").json()["username"] == "cli-user"
