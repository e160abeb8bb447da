"""The console in a real browser: add a real qBittorrent through the add flow,
then see it healthy on the dashboard. Debian chromium driven by Playwright."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import requests

from tests.conftest import make_user, require_binary
from tests.daemons.qbittorrent import start_qbittorrent

pytestmark = [pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ADMIN_PASSWORD = "pw-admin-123456"  # tests.conftest.make_user's convention


@pytest.fixture(scope="module")
def qbittorrent(tmp_path_factory):
    binary = require_binary("qbittorrent-nox")
    daemon = start_qbittorrent(
        tmp_path_factory.mktemp("console-qbittorrent"),
        password="qb-" + secrets.token_urlsafe(12),
        binary=binary,
    )
    try:
        yield daemon
    finally:
        daemon.stop()


def daemon_versions(daemon) -> tuple[str, str]:
    """(app version, Web API version) exactly as the daemon reports them."""
    with requests.Session() as s:
        s.trust_env = False
        s.post(
            f"{daemon.url}/api/v2/auth/login",
            data={"username": daemon.username, "password": daemon.password},
        )
        app = s.get(f"{daemon.url}/api/v2/app/version", timeout=5).text.strip().lstrip("v")
        api = s.get(f"{daemon.url}/api/v2/app/webapiVersion", timeout=5).text.strip()
    return app, api


@pytest.fixture
def page(monkeypatch):
    chromium = require_binary("chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the
    # test makes between page steps are ordinary blocking calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1360, "height": 900})
            context.set_default_timeout(15_000)
            yield context.new_page()
        finally:
            browser.close()
            # While Playwright's event loop runs in this thread, the ORM calls the test makes
            # get a connection of their own (asgiref's Local follows the loop's context);
            # close it here, in that context, or it outlives the test database.
            from django.db import connections

            connections.close_all()


@pytest.fixture
def admin_user(transactional_db):
    user = make_user("admin")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_add_real_qbittorrent_then_see_it_healthy_on_the_dashboard(
    live_server, admin_user, qbittorrent, page
):
    from playwright.sync_api import expect

    from integrations.downloadclients.models import DownloadClient

    app_version, api_version = daemon_versions(qbittorrent)
    base = live_server.url

    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#health-download_client")).to_be_visible()

    page.click("#content-main tr.model-downloadclient th a")
    page.click("ul.object-tools a.addlink")
    page.click("a[data-kind=qbittorrent]")
    page.fill("#id_name", "Living-room qBittorrent")
    page.fill("#id_settings-host", qbittorrent.host)
    page.fill("#id_settings-port", str(qbittorrent.port))
    page.fill("#id_settings-username", qbittorrent.username)
    page.fill("#id_settings-password", qbittorrent.password)

    page.click("input[name=_test]")
    result = page.locator("#test-result")
    expect(result).to_contain_text("Connected to qBittorrent")
    expect(result).to_contain_text(f"qBittorrent {app_version} (Web API {api_version})")
    expect(page.locator("#id_settings-password")).to_have_value("")  # never sent back

    page.fill("#id_settings-password", qbittorrent.password)
    page.click("input[name=_save]")
    expect(page.locator("ul.messagelist")).to_contain_text("was added")
    config = DownloadClient.objects.get(name="Living-room qBittorrent")
    assert config.get_secrets() == {"password": qbittorrent.password}

    page.goto(f"{base}/admin/")
    page.click("#check-all")
    expect(page.locator("ul.messagelist")).to_contain_text("1 healthy")
    row = page.locator("#health-download_client tbody tr", has_text="Living-room qBittorrent")
    expect(row).to_have_attribute("data-status", "healthy")
    expect(row.locator(".idk-pill")).to_have_class("idk-pill idk-pill--ok")
    assert qbittorrent.password not in page.content()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)


def test_add_a_torznab_indexer_search_it_and_grab_to_real_qbittorrent(
    live_server, admin_user, qbittorrent, page
):
    """Console end to end: add a Torznab indexer (Test reads its caps), search, press Grab:
    the real .torrent goes through idkarr to a real qBittorrent, and a grab event is kept."""
    from playwright.sync_api import expect

    from integrations.downloadclients.models import Download, DownloadClient
    from integrations.indexers.models import Indexer
    from notifications.models import Event
    from tests.indexerserver import IndexerServer

    client = DownloadClient(name="qBittorrent", kind="qbittorrent")
    client.apply_settings(
        client.settings_model().model_validate(
            {
                "host": qbittorrent.host,
                "port": qbittorrent.port,
                "username": qbittorrent.username,
                "password": qbittorrent.password,
                "tv_category": "tv-console-grab",
            }
        )
    )
    client.save()
    base = live_server.url
    with IndexerServer(items=6, filter_queries=True) as srv:
        page.goto(f"{base}/admin/login/")
        page.fill("#id_username", admin_user.username)
        page.fill("#id_password", ADMIN_PASSWORD)
        page.click("input[type=submit]")

        page.goto(f"{base}/admin/indexers/indexer/add/")
        page.click("a[data-kind=torznab]")
        page.fill("#id_name", "Local Torznab")
        page.fill("#id_settings-base_url", srv.url)
        page.fill("#id_settings-api_key", srv.api_key)
        page.click("input[name=_test]")
        expect(page.locator("#test-result")).to_contain_text("Connected to")
        page.fill("#id_settings-api_key", srv.api_key)
        page.click("input[name=_save]")
        expect(page.locator("ul.messagelist")).to_contain_text("was added")
        assert srv.api_key not in page.content()

        page.goto(f"{base}/admin/")
        page.click("#indexer-search-link")
        page.select_option("select[name=type]", "search")
        page.fill("input[name=q]", "Expanse")
        page.click("#indexer-search button[type=submit]")
        rows = page.locator("#search-results tbody tr")
        expect(rows.first).to_contain_text("The.Expanse")
        expect(page.locator("#indexer-outcomes")).to_contain_text("Local Torznab")
        assert srv.api_key not in page.content()
        title = rows.first.locator("th").inner_text().strip()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "indexer-search.png"), full_page=True)

        rows.first.locator("button", has_text="Grab").click()
        expect(page.locator("ul.messagelist")).to_contain_text("Sent to qBittorrent")

    row = Download.objects.get(client=client, grabbed=True)
    assert row.title == title
    with requests.Session() as s:
        s.trust_env = False
        s.post(
            f"{qbittorrent.url}/api/v2/auth/login",
            data={"username": qbittorrent.username, "password": qbittorrent.password},
        )
        hashes = [t["hash"] for t in s.get(f"{qbittorrent.url}/api/v2/torrents/info").json()]
    assert row.download_id in hashes
    assert Event.objects.get(event_type="grab").payload["release"]["indexer"] == "Local Torznab"
    assert Indexer.objects.get(name="Local Torznab").caps_fetched_at is not None
