"""A user's whole way to their own Trakt watchlist, against the fake Trakt: save the
list before signing in, sign in with a device code (API and console), sync it into
the library; the tokens never show."""

from __future__ import annotations

import pytest

from idkarr.library.models import RootFolder, Series
from importlists.models import ImportList
from tests.importlists.fake_trakt import CLIENT_ID, CLIENT_SECRET, fake_trakt  # noqa: F401

pytestmark = pytest.mark.django_db


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture
def own_watchlist(fake_trakt, api_client_for):  # noqa: F811
    """An operator's API client and the id of a Trakt list of their own watchlist,
    saved (with force) before any sign-in."""
    root = RootFolder.objects.create(path="/data/tv")
    client = api_client_for("operator")
    body = {
        "name": "My watchlist",
        "kind": "trakt",
        "settings": {
            "api_url": fake_trakt.url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "list_type": "watchlist",
            "root_folder_id": root.pk,
        },
    }
    response = post(client, "/api/v1/import-lists/?force=true", body)
    assert response.status_code == 201, response.content
    return client, response.json()["id"]


def sign_in(client, fake, config_id) -> dict:
    code = post(client, f"/api/v1/import-lists/{config_id}/device-auth").json()
    fake.approve(code["device_code"])
    return post(
        client,
        f"/api/v1/import-lists/{config_id}/device-auth/poll",
        {"device_code": code["device_code"]},
    ).json()


def test_an_own_list_not_yet_signed_in_fails_its_test_with_the_way_out(own_watchlist):
    client, config_id = own_watchlist
    result = post(client, f"/api/v1/import-lists/{config_id}/test").json()
    assert (result["ok"], "needs a sign-in" in result["message"]) == (False, True)


def test_polling_before_the_user_approved_waits(own_watchlist):
    client, config_id = own_watchlist
    code = post(client, f"/api/v1/import-lists/{config_id}/device-auth").json()
    answer = post(
        client,
        f"/api/v1/import-lists/{config_id}/device-auth/poll",
        {"device_code": code["device_code"]},
    ).json()
    assert answer == {"signed_in": False, "message": "Waiting for the user to approve"}


def test_a_device_sign_in_saves_the_tokens_on_the_list(fake_trakt, own_watchlist):  # noqa: F811
    client, config_id = own_watchlist
    assert sign_in(client, fake_trakt, config_id) == {
        "signed_in": True,
        "message": "My watchlist is signed in",
    }
    assert {"access_token", "refresh_token"} <= set(ImportList.objects.get().secrets_set)


def test_the_signed_in_tokens_never_show_in_the_api(fake_trakt, own_watchlist):  # noqa: F811
    client, config_id = own_watchlist
    sign_in(client, fake_trakt, config_id)
    body = client.get(f"/api/v1/import-lists/{config_id}").content.decode()
    tokens = ImportList.objects.get().validated_settings()
    assert tokens.access_token.get_secret_value() not in body
    assert tokens.refresh_token.get_secret_value() not in body


def test_a_signed_in_watchlist_syncs_into_the_library(fake_trakt, own_watchlist):  # noqa: F811
    client, config_id = own_watchlist
    sign_in(client, fake_trakt, config_id)
    result = post(client, f"/api/v1/import-lists/{config_id}/sync").json()
    assert (result["found"], result["added"]) == (2, 2)
    assert sorted(Series.objects.values_list("title", flat=True)) == ["Breaking Bad", "The Wire"]


def test_the_console_sign_in_page_shows_the_code_to_enter(fake_trakt, own_watchlist, console_for):  # noqa: F811
    _, config_id = own_watchlist
    page = console_for("admin").get(f"/admin/importlists/importlist/{config_id}/sign-in/")
    assert page.status_code == 200
    assert len(fake_trakt.devices) == 1
    code = page.context["code"]
    assert code["user_code"] in page.content.decode()


def test_the_console_saves_the_sign_in_once_approved(fake_trakt, own_watchlist, console_for):  # noqa: F811
    _, config_id = own_watchlist
    console = console_for("admin")
    code = console.get(f"/admin/importlists/importlist/{config_id}/sign-in/").context["code"]
    fake_trakt.approve(code["device_code"])
    response = console.post(f"/admin/importlists/importlist/{config_id}/sign-in/", code)
    assert response.status_code == 302
    assert "access_token" in ImportList.objects.get().secrets_set


def test_a_viewer_cannot_open_the_console_sign_in(own_watchlist, console_for):
    _, config_id = own_watchlist
    page = console_for("viewer").get(f"/admin/importlists/importlist/{config_id}/sign-in/")
    assert page.status_code == 403


def test_the_console_lists_a_sign_in_link_for_a_trakt_list(own_watchlist, console_for):
    _, config_id = own_watchlist
    page = console_for("admin").get("/admin/importlists/importlist/").content.decode()
    assert f'href="/admin/importlists/importlist/{config_id}/sign-in/">Sign in<' in page
