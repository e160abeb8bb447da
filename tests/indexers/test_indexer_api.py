"""The indexer API beyond CRUD: search, grab, releases, caps, parse."""

from __future__ import annotations

import pytest
from django.core import signing

from integrations.downloadclients.models import DownloadClient
from integrations.indexers import links
from tests.fakes import RIGHT_PASSWORD, FakeClient
from tests.indexers.fake_indexer import fake_indexer_kind, make_indexer  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fake_indexer_kind", "fake_providers"),
]

KEY = "api-key-of-the-indexer-1"
TITLE = "Show.Name.S02E03.1080p.WEB-DL.DDP5.1.H.264-GROUP"


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def test_search_returns_results_and_indexer_outcomes(api_client_for):
    make_indexer("A", api_key=KEY, items=[f"a1|{TITLE}"])
    data = post(
        api_client_for("operator"), "/api/v1/indexers/search", {"search_term": "Show"}
    ).json()
    assert [r["title"] for r in data["results"]] == [TITLE]
    assert data["indexers"][0]["ok"] is True and data["indexers"][0]["count"] == 1


def test_search_results_hold_the_parsed_quality(api_client_for):
    make_indexer("A", items=[f"a1|{TITLE}"])
    result = post(
        api_client_for("operator"), "/api/v1/indexers/search", {"search_term": "Show"}
    ).json()["results"][0]
    assert (result["quality"]["name"], result["quality"]["season"]) == ("WEBDL-1080p", 2)


def test_search_responses_never_hold_the_api_key(api_client_for):
    make_indexer("A", api_key=KEY, items=[f"a1|{TITLE}"])
    response = post(api_client_for("operator"), "/api/v1/indexers/search", {"search_term": "x"})
    assert KEY not in response.content.decode()


def test_a_guid_carrying_the_api_key_is_concealed_in_results_and_tokens(api_client_for):
    make_indexer("A", api_key=KEY, items=[f"https://idx.example/getnzb/1.nzb&r={KEY}|{TITLE}"])
    response = post(api_client_for("operator"), "/api/v1/indexers/search", {"search_term": "x"})
    [result] = response.json()["results"]
    assert result["guid"] == "https://idx.example/getnzb/1.nzb&r={secret:api_key}"
    assert KEY not in signing.loads(result["grab_token"], salt=links.SALT)["g"]


def test_free_text_search_without_a_term_is_refused(api_client_for):
    response = post(api_client_for("operator"), "/api/v1/indexers/search", {"type": "search"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_query"


def test_viewers_may_not_search(api_client_for):
    response = post(api_client_for("viewer"), "/api/v1/indexers/search", {"search_term": "x"})
    assert response.status_code == 403


def test_grab_by_token_sends_to_a_client(api_client_for):
    config = DownloadClient(name="qbit", kind="fakeclient")
    config.apply_settings(FakeClient.Settings.model_validate({"password": RIGHT_PASSWORD}))
    config.save()
    make_indexer("A", api_key=KEY, items=[f"a1|{TITLE}"])
    api = api_client_for("operator")
    token = post(api, "/api/v1/indexers/search", {"search_term": "x"}).json()["results"][0][
        "grab_token"
    ]
    response = post(api, "/api/v1/indexers/grab", {"token": token})
    assert response.status_code == 201
    assert response.json()["download_client_name"] == "qbit"


def test_grab_with_a_forged_token_is_refused(api_client_for):
    response = post(api_client_for("operator"), "/api/v1/indexers/grab", {"token": "abc:def"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_token"


def test_grab_without_a_usable_client_is_a_409_saying_what_to_add(api_client_for):
    make_indexer("A", items=[f"a1|{TITLE}"])
    api = api_client_for("operator")
    token = post(api, "/api/v1/indexers/search", {"search_term": "x"}).json()["results"][0][
        "grab_token"
    ]
    response = post(api, "/api/v1/indexers/grab", {"token": token})
    assert response.status_code == 409
    assert response.json()["code"] == "configuration_error"
    assert "No enabled download client" in response.json()["message"]


def test_grab_to_an_indexers_disabled_client_names_the_setting(api_client_for):
    config = DownloadClient(name="qbit", kind="fakeclient", enabled=False)
    config.apply_settings(FakeClient.Settings.model_validate({"password": RIGHT_PASSWORD}))
    config.save()
    make_indexer("A", items=[f"a1|{TITLE}"], download_client_id=config.pk)
    api = api_client_for("operator")
    token = post(api, "/api/v1/indexers/search", {"search_term": "x"}).json()["results"][0][
        "grab_token"
    ]
    response = post(api, "/api/v1/indexers/grab", {"token": token})
    assert response.status_code == 409
    assert response.json()["message"] == (
        "Indexer A sends its grabs to download client qbit, which is disabled; "
        "enable it or choose another"
    )


def test_releases_lists_rss_releases_newest_first(api_client_for):
    from integrations.indexers import rss

    make_indexer("A", items=["a1|Old.Show.S01E01", "a2|New.Show.S01E01"])
    rss.dispatch_due()
    data = api_client_for("viewer").get("/api/v1/indexers/releases?q=new").json()
    assert [r["guid"] for r in data] == ["a2"]


def test_caps_are_read_and_cached(api_client_for):
    config = make_indexer("A")
    data = api_client_for("viewer").get(f"/api/v1/indexers/{config.pk}/caps").json()
    assert data["search_modes"]["search"]["available"] is True
    config.refresh_from_db()
    assert config.caps_fetched_at is not None


def test_parse_answers_each_title(api_client_for):
    data = post(api_client_for("viewer"), "/api/v1/releases/parse", {"titles": [TITLE, ""]}).json()
    assert [d["name"] for d in data] == ["WEBDL-1080p", "Unknown"]
    assert data[0]["release_group"] == "GROUP"


def test_grab_by_rss_release_id_sends_to_a_client(api_client_for):
    from integrations.indexers import rss
    from integrations.indexers.models import Release

    config = DownloadClient(name="qbit", kind="fakeclient")
    config.apply_settings(FakeClient.Settings.model_validate({"password": RIGHT_PASSWORD}))
    config.save()
    make_indexer("A", api_key=KEY, items=[f"a1|{TITLE}"])
    rss.dispatch_due()
    release = Release.objects.get()
    response = post(api_client_for("operator"), "/api/v1/indexers/grab", {"release_id": release.pk})
    assert response.status_code == 201 and response.json()["download_client_name"] == "qbit"
