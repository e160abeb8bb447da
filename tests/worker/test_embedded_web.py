"""`make run`'s single process: the worker also serves the console and the API."""

from __future__ import annotations

import time

import pytest
import requests

from idkarr.accounts.models import ApiKey
from tests.conftest import free_port, make_user

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def get(url: str, **kwargs) -> requests.Response:
    deadline = time.monotonic() + 20
    while True:
        try:
            return requests.get(url, timeout=5, **kwargs)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def embedded(worker):
    port = free_port()
    w = worker(
        "--embedded-web",
        IDKARR_PORT=str(port),
        IDKARR_BIND="127.0.0.1",
        IDKARR_HEALTH_DISPATCH_SECONDS="1",
    )
    return w, f"http://127.0.0.1:{port}"


def test_embedded_worker_serves_the_console_login(embedded):
    _, base = embedded
    response = get(base + "/admin/login/")
    assert response.status_code == 200
    assert "idkarr console" in response.text


def test_embedded_worker_serves_the_api_and_sees_itself_as_worker(embedded):
    w, base = embedded
    _, raw = ApiKey.issue(make_user("viewer"))
    deadline = time.monotonic() + 30
    status = {}
    while time.monotonic() < deadline:
        status = get(base + "/api/v1/system/status", headers={"X-Api-Key": raw}).json()
        if status["worker"]["ok"]:
            break
        time.sleep(0.5)
    assert status["database"]["ok"] and status["broker"]["ok"] and status["worker"]["ok"], w.tail()
