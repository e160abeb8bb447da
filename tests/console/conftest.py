"""Console fixtures: logged-in Django test clients per role and ready-made configs."""

from __future__ import annotations

import pytest

from integrations.downloadclients.models import DownloadClient
from integrations.manager import manager
from tests.fakes import RIGHT_PASSWORD

SECRET = RIGHT_PASSWORD  # the one secret value no console page may ever contain


@pytest.fixture
def client_for(console_for):
    """``client_for(role)``: the console's test Client for a role (tests.conftest)."""
    return console_for


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
