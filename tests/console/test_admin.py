"""The console (Django admin): add/change flow, actions, logs, roles and secrecy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.downloadclients.models import DownloadClient
from integrations.downloadclients.registry import registry as dc_registry
from notifications.models import Delivery, Event, NotificationTarget

from .conftest import SECRET

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_providers")]

ADD = reverse("admin:downloadclients_downloadclient_add")
CHANGELIST = reverse("admin:downloadclients_downloadclient_changelist")
CHECK_ALL = reverse("admin:downloadclients_downloadclient_check_all")
INDEX = reverse("admin:index")


def change_url(config) -> str:
    return reverse("admin:downloadclients_downloadclient_change", args=[config.pk])


def form_data(action="_save", password=SECRET, **overrides) -> dict:
    data = {
        "kind": "fakeclient",
        "name": "Box",
        "enabled": "on",
        "tags": "anime, 4k",
        "settings-host": "127.0.0.1",
        "settings-port": "8080",
        "settings-mode": "ok",
        "settings-username": "me",
        "settings-password": password,
        "settings-timeout_seconds": "30",
        "settings-recent_priority": "normal",
        "settings-older_priority": "normal",
        action: "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def text(response) -> str:
    return response.content.decode()


# -- add flow ---------------------------------------------------------------------
def test_add_without_kind_shows_a_picker_of_registered_kinds(client_for):
    page = text(client_for("admin").get(ADD))
    for cls in dc_registry.classes():
        assert cls.label in page
        assert f"?kind={cls.kind}" in page


def test_add_with_kind_renders_the_generated_settings_form(client_for):
    page = text(client_for("admin").get(ADD + "?kind=fakeclient"))
    assert 'name="settings-host"' in page
    assert 'name="settings-password"' in page
    assert 'name="_test"' in page


def test_add_with_unknown_kind_falls_back_to_the_picker(client_for):
    page = text(client_for("admin").get(ADD + "?kind=nope", follow=True))
    assert "Unknown kind" in page
    assert "?kind=fakeclient" in page


def test_test_button_shows_the_result_inline_and_saves_nothing(client_for):
    response = client_for("admin").post(ADD, form_data("_test"))
    assert response.status_code == 200
    assert "Connected to Fake client 1.2.3" in text(response)
    assert not DownloadClient.objects.exists()


def test_test_button_shows_a_failure_as_an_error_box(client_for):
    response = client_for("admin").post(ADD, form_data("_test", password="wrong"))
    assert "idk-result--error" in text(response)
    assert "rejected the username or password" in text(response)


def test_test_button_keeps_entered_values_but_not_the_secret(client_for):
    page = text(client_for("admin").post(ADD, form_data("_test", **{"settings-port": "9999"})))
    assert 'value="9999"' in page
    assert 'value="Box"' in page
    assert SECRET not in page


def test_save_creates_the_row_with_an_encrypted_secret(client_for):
    response = client_for("admin").post(ADD, form_data())
    assert response.status_code == 302
    config = DownloadClient.objects.get(name="Box")
    assert config.kind == "fakeclient"
    assert config.settings["username"] == "me"
    assert SECRET not in config.secrets
    assert config.get_secrets() == {"password": SECRET}
    assert sorted(t.label for t in config.tags.all()) == ["4k", "anime"]


def test_save_redirects_to_the_changelist_with_a_message(client_for):
    response = client_for("admin").post(ADD, form_data(), follow=True)
    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "was added" in text(response)


def test_save_with_a_failing_test_offers_save_anyway_and_saves_nothing(client_for):
    response = client_for("admin").post(ADD, form_data(password="wrong"))
    assert response.status_code == 200
    assert 'name="_force"' in text(response)
    assert not DownloadClient.objects.exists()


def test_save_anyway_saves_despite_a_failing_test(client_for):
    response = client_for("admin").post(ADD, form_data("_force", password="wrong"))
    assert response.status_code == 302
    assert DownloadClient.objects.get(name="Box").get_secrets() == {"password": "wrong"}


def test_saving_a_disabled_config_skips_the_test(client_for):
    response = client_for("admin").post(ADD, form_data(password="wrong", enabled=None))
    assert response.status_code == 302
    assert DownloadClient.objects.get(name="Box").enabled is False


def test_invalid_setting_is_reported_on_its_field(client_for):
    response = client_for("admin").post(ADD, form_data(**{"settings-port": "70000"}))
    assert response.status_code == 200
    assert response.context["settings_adminform"].form.errors["port"]
    assert not DownloadClient.objects.exists()


def test_duplicate_name_is_reported(client_for, stored_client):
    response = client_for("admin").post(ADD, form_data(name=stored_client.name))
    assert response.status_code == 200
    assert response.context["base_adminform"].form.errors["name"]


# -- change flow ------------------------------------------------------------------
def test_change_form_shows_the_secret_as_stored_without_its_value(client_for, stored_client):
    page = text(client_for("admin").get(change_url(stored_client)))
    assert "(stored)" in page
    assert 'name="settings-password__clear"' in page
    assert SECRET not in page


def test_change_with_empty_secret_keeps_the_stored_one(client_for, stored_client):
    data = form_data(name="Seedbox", password="", **{"settings-port": "9092"})
    response = client_for("admin").post(change_url(stored_client), data)
    assert response.status_code == 302
    stored_client.refresh_from_db()
    assert stored_client.settings["port"] == 9092
    assert stored_client.get_secrets() == {"password": SECRET}


def test_change_with_clear_box_clears_the_secret(client_for, stored_client):
    data = form_data("_force", name="Seedbox", password="", **{"settings-password__clear": "on"})
    client_for("admin").post(change_url(stored_client), data)
    stored_client.refresh_from_db()
    assert stored_client.get_secrets() == {}


def test_change_test_uses_the_stored_secret_when_input_is_empty(client_for, stored_client):
    page = text(
        client_for("admin").post(
            change_url(stored_client), form_data("_test", name="Seedbox", password="")
        )
    )
    assert "Connected to Fake client 1.2.3" in page


def test_change_cannot_switch_the_kind(client_for, stored_client):
    client_for("admin").post(
        change_url(stored_client), form_data(name="Seedbox", password="", kind="other")
    )
    stored_client.refresh_from_db()
    assert stored_client.kind == "fakeclient"


def test_change_writes_a_log_entry_naming_fields_not_values(client_for, stored_client):
    from django.contrib.admin.models import LogEntry

    client_for("admin").post(
        change_url(stored_client), form_data("_force", name="Seedbox", password="new-Secret-999")
    )
    entry = LogEntry.objects.get(object_id=str(stored_client.pk))
    assert "settings" in entry.get_change_message()
    assert "new-Secret-999" not in entry.change_message


def test_secret_is_absent_from_every_console_page(client_for, stored_client):
    client = client_for("admin")
    pages = [
        client.get(CHANGELIST),
        client.get(change_url(stored_client)),
        client.post(
            ADD, form_data(name="Other", **{"settings-port": "0"})
        ),  # add form after an error
        client.post(ADD, form_data("_test", name="Other")),
        client.post(change_url(stored_client), form_data("_test", name="Seedbox", password="")),
        client.get(INDEX),
        client.get(
            reverse("admin:downloadclients_downloadclient_history", args=[stored_client.pk])
        ),
    ]
    for response in pages:
        assert response.status_code == 200
        assert SECRET not in text(response)


# -- changelist and actions -------------------------------------------------------------
def test_changelist_shows_a_health_badge_with_latency_and_error_tooltip(client_for, stored_client):
    DownloadClient.objects.filter(pk=stored_client.pk).update(
        health="unhealthy", latency_ms=42, last_error="Cannot reach Fake client"
    )
    page = text(client_for("viewer").get(CHANGELIST))
    assert 'class="idk-pill idk-pill--bad" title="Cannot reach Fake client"' in page
    assert "unhealthy · 42 ms" in page


def test_changelist_filters_by_kind(client_for, stored_client):
    page = text(client_for("viewer").get(CHANGELIST + "?kind=qbittorrent"))
    assert "Seedbox" not in page


def action(client, name, *configs, url=CHANGELIST):
    return client.post(
        url, {"action": name, "_selected_action": [c.pk for c in configs]}, follow=True
    )


def test_test_selected_reports_a_message_per_item(client_for, stored_client):
    page = text(action(client_for("operator"), "test_selected", stored_client))
    assert "Seedbox: Connected to Fake client 1.2.3" in page


def test_check_health_now_records_the_health(client_for, stored_client):
    action(client_for("operator"), "check_health", stored_client)
    stored_client.refresh_from_db()
    assert stored_client.health == "healthy"
    assert stored_client.last_checked_at is not None


def test_disable_and_enable_actions(client_for, stored_client):
    client = client_for("operator")
    action(client, "disable_selected", stored_client)
    assert DownloadClient.objects.get(pk=stored_client.pk).enabled is False
    action(client, "enable_selected", stored_client)
    assert DownloadClient.objects.get(pk=stored_client.pk).enabled is True


# -- roles ----------------------------------------------------------------------------
def test_viewer_can_view_the_changelist(client_for, stored_client):
    response = client_for("viewer").get(CHANGELIST)
    assert response.status_code == 200
    assert "Seedbox" in text(response)


def test_viewer_gets_403_on_add(client_for):
    assert client_for("viewer").get(ADD).status_code == 403


def test_viewer_sees_the_change_page_read_only(client_for, stored_client):
    page = text(client_for("viewer").get(change_url(stored_client)))
    assert 'name="_save"' not in page
    assert "disabled" in page


def test_viewer_cannot_post_a_change(client_for, stored_client):
    response = client_for("viewer").post(
        change_url(stored_client), form_data(name="Hacked", password="")
    )
    assert response.status_code == 403
    assert DownloadClient.objects.get(pk=stored_client.pk).name == "Seedbox"


def test_viewer_has_no_actions(client_for, stored_client):
    action(client_for("viewer"), "disable_selected", stored_client)
    assert DownloadClient.objects.get(pk=stored_client.pk).enabled is True


def test_operator_can_add(client_for):
    assert client_for("operator").post(ADD, form_data()).status_code == 302
    assert DownloadClient.objects.filter(name="Box").exists()


# -- dashboard ------------------------------------------------------------------------
def test_dashboard_shows_each_integration_with_its_health(client_for, stored_client):
    DownloadClient.objects.filter(pk=stored_client.pk).update(
        health="degraded", last_error="Disk almost full"
    )
    page = text(client_for("viewer").get(INDEX))
    assert "Seedbox" in page
    assert 'data-status="degraded"' in page
    assert "Disk almost full" in page


def test_check_all_now_checks_and_records_every_enabled_integration(client_for, stored_client):
    response = client_for("operator").post(CHECK_ALL, {"next": INDEX}, follow=True)
    assert response.redirect_chain[-1][0] == INDEX
    assert "Checked 1 integrations: 1 healthy" in text(response)
    stored_client.refresh_from_db()
    assert stored_client.health == "healthy"


def test_check_all_now_is_offered_to_operators_only(client_for):
    assert 'id="check-all"' in text(client_for("operator").get(INDEX))
    assert 'id="check-all"' not in text(client_for("viewer").get(INDEX))


def test_viewer_gets_403_on_check_all(client_for):
    assert client_for("viewer").post(CHECK_ALL).status_code == 403


def test_check_all_ignores_an_offsite_next(client_for):
    response = client_for("operator").post(CHECK_ALL, {"next": "https://evil.example/"})
    assert response["Location"] == INDEX


# -- notification targets and logs ----------------------------------------------------------------
def make_delivery(status=Delivery.Status.FAILED) -> Delivery:
    target = NotificationTarget.objects.create(name="Hook", kind="fakenotifier")
    event = Event.objects.create(
        event_type="grab", payload={"series": {"title": "Andor"}}, source="test"
    )
    return Delivery.objects.create(
        event=event, target=target, status=status, attempts=3, last_error="HTTP 503"
    )


def test_notification_form_groups_event_flags(client_for):
    url = reverse("admin:notifications_notificationtarget_add") + "?kind=fakenotifier"
    page = text(client_for("admin").get(url))
    assert ">Events</h2>" in page
    assert 'name="settings-on_grab"' in page


def test_notification_target_save_stores_event_flags_in_columns(client_for):
    url = reverse("admin:notifications_notificationtarget_add")
    data = {
        "kind": "fakenotifier",
        "name": "Hook",
        "enabled": "on",
        "settings-mode": "ok",
        "_force": "1",
    }
    data["settings-on_grab"] = "on"
    assert client_for("admin").post(url, data).status_code == 302
    target = NotificationTarget.objects.get(name="Hook")
    assert target.on_grab is True
    assert target.on_download is False


def test_delivery_resend_action_requeues_the_delivery(client_for):
    delivery = make_delivery()
    url = reverse("admin:notifications_delivery_changelist")
    page = text(action(client_for("operator"), "resend_selected", delivery, url=url))
    assert "Queued 1 delivery" in page
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_error == ""


def test_viewer_cannot_resend(client_for):
    delivery = make_delivery()
    url = reverse("admin:notifications_delivery_changelist")
    action(client_for("viewer"), "resend_selected", delivery, url=url)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED


def test_delivery_list_shows_a_status_badge(client_for):
    make_delivery()
    page = text(client_for("viewer").get(reverse("admin:notifications_delivery_changelist")))
    assert 'idk-pill--bad" title="HTTP 503">failed' in page


def test_event_detail_shows_pretty_payload_and_its_deliveries(client_for):
    delivery = make_delivery()
    url = reverse("admin:notifications_event_change", args=[delivery.event_id])
    page = text(client_for("viewer").get(url))
    assert "&quot;title&quot;: &quot;Andor&quot;" in page
    assert "Hook" in page


def test_event_list_shows_delivery_counts(client_for):
    make_delivery()
    page = text(client_for("viewer").get(reverse("admin:notifications_event_changelist")))
    assert "1 (0 sent, 1 failed)" in page


@pytest.mark.parametrize("model", ["event", "delivery"])
def test_logs_cannot_be_added_or_changed_even_by_admins(client_for, model):
    delivery = make_delivery()
    pk = delivery.event_id if model == "event" else delivery.pk
    client = client_for("admin")
    assert client.get(reverse(f"admin:notifications_{model}_add")).status_code == 403
    response = client.post(
        reverse(f"admin:notifications_{model}_change", args=[pk]), {"last_error": "x"}
    )
    assert response.status_code == 403


def test_only_admins_may_delete_log_rows(client_for):
    delivery = make_delivery()
    url = reverse("admin:notifications_delivery_delete", args=[delivery.pk])
    assert client_for("operator").get(url).status_code == 403
    assert client_for("admin").get(url).status_code == 200


def test_dashboard_lists_recent_deliveries_with_status(client_for):
    make_delivery()
    page = text(client_for("viewer").get(INDEX))
    section = page[page.index('id="recent-deliveries"') :]
    assert "Hook" in section
    assert "idk-pill--bad" in section


def test_change_page_of_a_kind_no_longer_installed_redirects_with_a_message(client_for):
    config = DownloadClient.objects.create(name="Legacy", kind="gone")
    response = client_for("admin").get(change_url(config), follow=True)
    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "no longer provides" in text(response)
