"""Form fields that depend on the family: a setting that names a download client (an
indexer's) is a select of the configured clients, read from the database when the form
is built and cleaned back to an id; the tags help says what tags do on that page."""

from __future__ import annotations

import pytest

from integrations.downloadclients.models import DownloadClient
from integrations.forms import SettingsForm
from integrations.indexers.base import IndexerSettings
from tests.fakes import RIGHT_PASSWORD, FakeClient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_providers")]


def client(name: str) -> DownloadClient:
    config = DownloadClient(name=name, kind="fakeclient")
    config.apply_settings(FakeClient.Settings.model_validate({"password": RIGHT_PASSWORD}))
    config.save()
    return config


def test_the_download_client_setting_lists_every_configured_client():
    a, b = client("alpha"), client("beta")
    field = SettingsForm(IndexerSettings).fields["download_client_id"]
    assert [value for value, _ in field.choices] == ["", str(a.pk), str(b.pk)]


def test_the_download_client_labels_carry_the_client_kind():
    client("alpha")
    labels = [
        label for _, label in SettingsForm(IndexerSettings).fields["download_client_id"].choices
    ]
    assert labels[1] == f"alpha ({FakeClient.label})"


def test_a_chosen_download_client_is_cleaned_to_its_id():
    picked = client("alpha")
    form = SettingsForm(IndexerSettings, {"settings-download_client_id": str(picked.pk)})
    assert form.is_valid(), form.errors
    assert form.settings_data()["download_client_id"] == picked.pk


def test_no_chosen_download_client_is_cleaned_to_none():
    client("alpha")
    form = SettingsForm(IndexerSettings, {"settings-download_client_id": ""})
    assert form.is_valid(), form.errors
    assert form.settings_data()["download_client_id"] is None


def test_a_download_client_that_does_not_exist_is_refused():
    client("alpha")
    form = SettingsForm(IndexerSettings, {"settings-download_client_id": "999"})
    assert not form.is_valid()
    assert "download_client_id" in form.errors


def test_the_indexer_page_says_what_its_tags_do():
    from integrations.forms import config_form_class
    from integrations.indexers.models import Indexer

    assert (
        "Only searched for series and movies"
        in config_form_class(Indexer)().fields["tags"].help_text
    )


def test_the_download_client_page_says_what_its_tags_do():
    from integrations.forms import config_form_class

    assert "Only receives grabs" in config_form_class(DownloadClient)().fields["tags"].help_text
