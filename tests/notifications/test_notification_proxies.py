"""Notification targets through a proxy, against real tinyproxy (HTTP) and microsocks
(SOCKS5): the message goes through the proxy its settings name, or not at all."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from integrations.errors import ConfigurationError, ConnectionFailed
from notifications.models import NotificationTarget
from notifications.providers.email import EmailSettings
from notifications.samples import sample_message
from tests.httpserver import RecordingServer, Reply
from tests.proxy_fixtures import make_proxy

pytestmark = pytest.mark.django_db


@pytest.fixture
def server():
    with RecordingServer() as srv:
        yield srv


def target(kind: str, settings: dict, proxy=None, name: str = "Alerts") -> NotificationTarget:
    config = NotificationTarget(name=name, kind=kind)
    if proxy is not None:
        settings = {**settings, "proxy_id": proxy.pk}
    config.apply_settings(config.settings_model().model_validate(settings))
    config.save()
    return config


def deliver(config: NotificationTarget) -> dict:
    with config.build_provider() as provider:
        return provider.send(sample_message("grab"))


def test_a_webhook_goes_through_the_http_proxy(server, tinyproxy):
    deliver(target("webhook", {"url": server.url + "/hook"}, make_proxy(tinyproxy, "http")))
    assert "tinyproxy" in server.last_request.headers.get("Via", "")


def test_an_ntfy_message_goes_through_the_socks5_proxy(microsocks):
    answer = Reply(200, '{"id": "m1", "event": "message"}', {"Content-Type": "application/json"})
    with RecordingServer(default_response=answer) as ntfy:
        settings = {"server_url": ntfy.url, "topic": "idkarr"}
        deliver(target("ntfy", settings, make_proxy(microsocks, "socks5")))
        assert ntfy.last_request.json()["topic"] == "idkarr"
        assert f"connected to 127.0.0.1:{ntfy.port}" in microsocks.log()


def test_a_target_without_a_proxy_posts_directly(server, tinyproxy):
    make_proxy(tinyproxy, "http")
    deliver(target("webhook", {"url": server.url + "/hook"}))
    assert "Via" not in server.last_request.headers


def test_a_disabled_proxy_stops_the_message_instead_of_sending_it_directly(server, tinyproxy):
    proxy = make_proxy(tinyproxy, "http", name="VPN", enabled=False)
    config = target("webhook", {"url": server.url + "/hook"}, proxy)
    with pytest.raises(ConfigurationError, match="goes through the proxy 'VPN', which is disabled"):
        config.build_provider()
    assert server.requests == []


def test_email_has_no_proxy_setting_since_smtp_cannot_use_one():
    with pytest.raises(ValidationError, match="proxy_id"):
        EmailSettings.model_validate(
            {"server": "127.0.0.1", "from_address": "a@example.org", "to": ["b@example.org"],
             "proxy_id": 1}
        )  # fmt: skip


def test_a_stopped_proxy_is_a_transient_failure_naming_it(server, fresh_microsocks):
    config = target(
        "webhook", {"url": server.url + "/hook"}, make_proxy(fresh_microsocks, "socks5")
    )
    fresh_microsocks.stop()
    with pytest.raises(ConnectionFailed, match=r"^Cannot reach proxy 'socks5 proxy'") as err:
        deliver(config)
    assert not err.value.permanent
    assert server.requests == []


def test_the_webhook_form_offers_the_proxies(console_for, tinyproxy):
    make_proxy(tinyproxy, "http", name="Office VPN")
    page = console_for("operator").get("/admin/notifications/notificationtarget/add/?kind=webhook")
    assert "Office VPN (HTTP proxy)" in page.content.decode()
