"""Console fixtures: logged-in Django test clients per role and ready-made configs."""

from __future__ import annotations

import pytest
from django.test import Client

from integrations.downloadclients.models import DownloadClient
from integrations.manager import manager
from tests.conftest import make_user
from tests.fakes import RIGHT_PASSWORD

SECRET = RIGHT_PASSWORD  # the one secret value no console page may ever contain


@pytest.fixture
def client_for(db):
    """``client_for(role)`` → a test Client logged in as a staff user in that role group."""

    def build(role: str) -> Client:
        user = make_user(role)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        client = Client()
        client.force_login(user)
        return client

    return build


@pytest.fixture
def stored_client(db, fake_providers) -> DownloadClient:
    """A saved fake download client whose stored password is SECRET."""
    config, _ = manager.register(
        "download_client",
        name="Seedbox",
        kind="fakeclient",
        settings={"host": "127.0.0.1", "port": 9091, "username": "me", "password": SECRET},
        tags=["anime"],
    )
    return config
