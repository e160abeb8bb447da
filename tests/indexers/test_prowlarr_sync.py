"""Pull sync of a Prowlarr's indexers into idkarr Torznab/Newznab indexers: sync levels,
tags, capabilities and categories, names, idempotence, failures, and the beat dispatcher."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.errors import AuthenticationError, IntegrationError, RequestTimedOut
from integrations.indexers import prowlarr_sync
from integrations.indexers.models import Indexer, ProwlarrSyncState
from tests.httpserver import Reply

from .prowlarr_fixtures import (  # noqa: F401 (prowlarr_registered is a fixture)
    API_KEY,
    BASE,
    Failure,
    fake_prowlarr,
    prowlarr_registered,
    settings,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prowlarr_registered")]

ALL_ADDED = ["1337x (Prowlarr)", "Nyaa.si (Prowlarr)", "NZBgeek (Prowlarr)"]  # by name, any case


@pytest.fixture
def prowlarr():
    yield from fake_prowlarr()


def make_config(name: str = "Prowlarr", **overrides) -> Indexer:
    row = Indexer(name=name, kind="prowlarr")
    row.apply_settings(settings(**overrides))
    row.save()
    return row


def imported(config: Indexer) -> dict[int, Indexer]:
    return {r.remote_id: r for r in Indexer.objects.filter(managed_by=config)}


def snapshot(config: Indexer) -> list[tuple]:
    return sorted(
        (
            r.remote_id,
            r.name,
            r.kind,
            r.priority,
            r.enable_rss,
            r.enable_search,
            json.dumps(r.settings, sort_keys=True),
            r.secrets,
        )
        for r in Indexer.objects.filter(managed_by=config)
    )


# -- adding ------------------------------------------------------------------------------------


def test_disabled_level_imports_nothing_and_says_so(prowlarr):
    config = make_config(sync_level="disabled")
    report = prowlarr_sync.sync(config)
    assert report.level == "disabled"
    assert "sync level: disabled" in report.message
    assert prowlarr.calls == []
    assert not Indexer.objects.filter(managed_by=config).exists()
    assert config.sync_state.last_report["level"] == "disabled"


def test_full_sync_adds_the_eligible_indexers(prowlarr):
    report = prowlarr_sync.sync(make_config())
    assert report.added == ALL_ADDED
    assert (report.updated, report.removed, report.unchanged) == ([], [], [])


def test_an_imported_torrent_indexer_points_at_prowlarrs_proxy(prowlarr):
    config = make_config()
    prowlarr_sync.sync(config)
    row = imported(config)[1]
    values = row.validated_settings() if row.kind in Indexer.registry else None
    assert (row.name, row.kind, row.protocol, row.enabled) == (
        "1337x (Prowlarr)",
        "torznab",
        "torrent",
        True,
    )
    assert row.settings["base_url"].rstrip("/") == f"{BASE}/1"  # Torznab drops the slash
    assert row.settings["api_path"] == "/api"
    assert row.get_secrets() == {"api_key": API_KEY}
    assert API_KEY not in json.dumps(row.settings)
    assert row.settings["categories"] == [2000, 2030, 2040, 5000, 5030, 5040]
    assert row.settings["anime_categories"] == [5070]
    assert (row.priority, row.enable_rss, row.enable_search) == (25, True, True)
    if values is not None:  # the Torznab provider is registered: its Settings accept the row
        assert values.api_key.get_secret_value() == API_KEY


def test_a_torrent_indexer_brings_its_seeding_rules(prowlarr):
    config = make_config()
    prowlarr_sync.sync(config)
    row = imported(config)[4]
    assert (
        row.settings["minimum_seeders"],
        row.settings["seed_ratio"],
        row.settings["seed_time_minutes"],
        row.settings["season_pack_seed_time_minutes"],
    ) == (3, 2.0, 4320, 10080)


def test_a_torrent_indexer_without_its_own_minimum_seeders_takes_its_profiles(prowlarr):
    prowlarr.data["appprofile"][0]["minimumSeeders"] = 4
    config = make_config()
    prowlarr_sync.sync(config)
    row = imported(config)[1]
    assert (row.settings["minimum_seeders"], row.settings["seed_ratio"]) == (4, None)


def test_a_usenet_indexer_becomes_newznab_with_its_sync_profile_flags(prowlarr):
    config = make_config()
    prowlarr_sync.sync(config)
    row = imported(config)[2]
    assert (row.kind, row.protocol, row.priority) == ("newznab", "usenet", 10)
    assert (row.enable_rss, row.enable_search) == (False, True)  # profile "Interactive only"


def test_an_anime_indexer_gets_the_tv_parent_and_the_anime_category(prowlarr):
    config = make_config()
    prowlarr_sync.sync(config)
    row = imported(config)[4]
    assert (row.settings["categories"], row.settings["anime_categories"]) == ([5000], [5070])


def test_skipped_indexers_are_reported_with_their_reasons(prowlarr):
    report = prowlarr_sync.sync(make_config())
    assert report.skipped == [
        {
            "name": "Redacted",
            "reason": "none of its categories (3000, 3010, 3040, 7000, 7020) is a sync category",
        },
        {"name": "ShowRSS", "reason": "it has no search, TV search or movie search capability"},
        {"name": "TorrentLeech", "reason": "it is disabled in Prowlarr"},
    ]


def test_new_indexers_inherit_tls_check_and_timeout_from_the_prowlarr(prowlarr):
    config = make_config(verify_tls=False, timeout_seconds=75)
    prowlarr_sync.sync(config)
    row = imported(config)[1]
    assert (row.settings["verify_tls"], row.settings["timeout_seconds"]) == (False, 75.0)


def test_tags_import_only_indexers_carrying_one_of_them(prowlarr):
    report = prowlarr_sync.sync(make_config(tags=[1]))
    assert report.added == ["Nyaa.si (Prowlarr)", "NZBgeek (Prowlarr)"]
    assert {"name": "1337x", "reason": "has none of the sync tags"} in report.skipped


def test_sync_categories_limit_the_imported_categories(prowlarr):
    config = make_config(sync_categories=[5040, 2040], anime_sync_categories=[])
    report = prowlarr_sync.sync(config)
    assert report.added == ["1337x (Prowlarr)", "NZBgeek (Prowlarr)"]
    assert imported(config)[2].settings["categories"] == [2040, 5040]


# -- idempotence ------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["full", "add_remove"])
def test_a_second_sync_changes_nothing(prowlarr, level):
    config = make_config(sync_level=level)
    prowlarr_sync.sync(config)
    before = snapshot(config)
    report = prowlarr_sync.sync(config)
    assert (report.added, report.updated, report.removed) == ([], [], [])
    assert report.unchanged == ALL_ADDED
    assert snapshot(config) == before


# -- updating ---------------------------------------------------------------------------------


def test_full_sync_updates_changed_priority_and_categories(prowlarr):
    config = make_config()
    prowlarr_sync.sync(config)
    prowlarr.indexer(1)["priority"] = 5
    prowlarr.indexer(1)["capabilities"]["categories"] = [
        {"id": 5000, "name": "TV", "subCategories": [{"id": 5045, "name": "TV/UHD"}]}
    ]
    report = prowlarr_sync.sync(config)
    assert report.updated == ["1337x (Prowlarr)"]
    row = imported(config)[1]
    assert (row.priority, row.settings["categories"], row.settings["anime_categories"]) == (
        5,
        [5000, 5045],
        [],
    )


def test_full_sync_leaves_the_fields_prowlarr_does_not_manage(prowlarr):
    config = make_config()
    prowlarr_sync.sync(config)
    row = imported(config)[1]
    row.enabled, row.rss_interval = False, 30
    row.settings = {**row.settings, "timeout_seconds": 90.0, "verify_tls": False}
    row.save()
    prowlarr.indexer(1)["priority"] = 7
    prowlarr_sync.sync(config)
    row.refresh_from_db()
    assert row.priority == 7
    assert (row.enabled, row.rss_interval) == (False, 30)
    assert (row.settings["timeout_seconds"], row.settings["verify_tls"]) == (90.0, False)


def test_full_sync_follows_a_rename_in_prowlarr(prowlarr):
    config = make_config()
    prowlarr_sync.sync(config)
    prowlarr.indexer(1)["name"] = "1337x mirror"
    report = prowlarr_sync.sync(config)
    assert report.updated == ["1337x mirror (Prowlarr)"]
    assert imported(config)[1].name == "1337x mirror (Prowlarr)"


def test_full_sync_turns_off_an_indexer_disabled_in_prowlarr(prowlarr):
    config = make_config()
    prowlarr_sync.sync(config)
    prowlarr.indexer(1)["enable"] = False
    prowlarr_sync.sync(config)
    row = imported(config)[1]
    assert (row.enable_rss, row.enable_search) == (False, False)


def test_add_remove_never_changes_an_existing_indexer(prowlarr):
    config = make_config(sync_level="add_remove")
    prowlarr_sync.sync(config)
    prowlarr.indexer(1)["priority"] = 3
    prowlarr.indexer(1)["name"] = "Renamed"
    report = prowlarr_sync.sync(config)
    assert "1337x (Prowlarr)" in report.unchanged
    row = imported(config)[1]
    assert (row.name, row.priority) == ("1337x (Prowlarr)", 25)


def test_add_remove_adds_a_new_indexer(prowlarr):
    config = make_config(sync_level="add_remove")
    prowlarr_sync.sync(config)
    prowlarr.indexer(5)["enable"] = True
    report = prowlarr_sync.sync(config)
    assert report.added == ["TorrentLeech (Prowlarr)"]


# -- removing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["full", "add_remove"])
def test_an_indexer_deleted_in_prowlarr_is_removed(prowlarr, level):
    config = make_config(sync_level=level)
    prowlarr_sync.sync(config)
    prowlarr.data["indexer"] = [i for i in prowlarr.data["indexer"] if i["id"] != 2]
    report = prowlarr_sync.sync(config)
    assert report.removed == ["NZBgeek (Prowlarr)"]
    assert sorted(imported(config)) == [1, 4]


@pytest.mark.parametrize("level", ["full", "add_remove"])
def test_an_indexer_that_lost_its_tag_is_removed(prowlarr, level):
    config = make_config(sync_level=level, tags=[1])
    prowlarr_sync.sync(config)
    prowlarr.indexer(4)["tags"] = []
    report = prowlarr_sync.sync(config)
    assert report.removed == ["Nyaa.si (Prowlarr)"]


def test_an_indexer_without_sync_categories_any_more_is_removed(prowlarr):
    config = make_config()
    prowlarr_sync.sync(config)
    prowlarr.indexer(1)["capabilities"]["categories"] = [
        {"id": 3000, "name": "Audio", "subCategories": []}
    ]
    report = prowlarr_sync.sync(config)
    assert report.removed == ["1337x (Prowlarr)"]
    assert 1 not in imported(config)


def test_removal_leaves_the_users_own_indexers_alone(prowlarr):
    config = make_config()
    Indexer.objects.create(name="My tracker", kind="torznab", settings={"base_url": "x"})
    prowlarr_sync.sync(config)
    prowlarr.data["indexer"] = []
    report = prowlarr_sync.sync(config)
    assert report.removed == ALL_ADDED
    assert list(Indexer.objects.exclude(kind="prowlarr").values_list("name", flat=True)) == [
        "My tracker"
    ]


# -- names ------------------------------------------------------------------------------------


def test_a_name_taken_by_a_users_indexer_gets_a_suffix_and_is_reported(prowlarr):
    Indexer.objects.create(name="1337x (Prowlarr)", kind="torznab")
    config = make_config()
    report = prowlarr_sync.sync(config)
    assert imported(config)[1].name == "1337x (Prowlarr 2)"
    assert report.renamed == [
        {
            "name": "1337x (Prowlarr 2)",
            "wanted": "1337x (Prowlarr)",
            "reason": "another indexer is already named 1337x (Prowlarr)",
        }
    ]


def test_a_second_prowlarr_names_its_copies_after_itself(prowlarr):
    prowlarr_sync.sync(make_config())
    second = make_config(name="Prowlarr at home")
    report = prowlarr_sync.sync(second)
    assert report.added == [
        "1337x (Prowlarr at home)",
        "Nyaa.si (Prowlarr at home)",
        "NZBgeek (Prowlarr at home)",
    ]


def test_a_clashing_name_stays_the_same_on_the_next_sync(prowlarr):
    Indexer.objects.create(name="1337x (Prowlarr)", kind="torznab")
    config = make_config()
    prowlarr_sync.sync(config)
    report = prowlarr_sync.sync(config)
    assert "1337x (Prowlarr 2)" in report.unchanged
    assert report.updated == []


# -- failures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        Failure(500, '{"message": "database is locked"}'),
        Failure(200, "<html><body>Login</body></html>", "text/html"),
        Failure(200, '[{"id": 1, '),
    ],
)
def test_a_failing_prowlarr_changes_nothing_and_the_error_is_stored(prowlarr, failure):
    config = make_config()
    prowlarr_sync.sync(config)
    before = snapshot(config)
    first_ok = ProwlarrSyncState.objects.get(indexer=config).last_ok_at
    prowlarr.data["indexer"] = []
    prowlarr.failures["indexer"] = failure
    with pytest.raises(IntegrationError) as caught:
        prowlarr_sync.sync(config)
    assert snapshot(config) == before
    state = ProwlarrSyncState.objects.get(indexer=config)
    assert state.last_error == caught.value.message
    assert state.last_ok_at == first_ok
    assert state.last_report["added"] == ALL_ADDED


def test_a_wrong_api_key_raises_and_is_stored(prowlarr):
    config = make_config(api_key="f" * 32)
    with pytest.raises(AuthenticationError):
        prowlarr_sync.sync(config)
    assert "refused the API key" in config.sync_state.last_error
    assert not Indexer.objects.filter(managed_by=config).exists()


def test_a_prowlarr_that_times_out_changes_nothing(recording_server):
    recording_server.script([Reply(200, [], delay=2.0)])
    config = make_config(base_url=recording_server.url, timeout_seconds=0.3)
    with pytest.raises(RequestTimedOut):
        prowlarr_sync.sync(config)
    assert not Indexer.objects.filter(managed_by=config).exists()
    assert "did not answer" in config.sync_state.last_error


def test_only_a_prowlarr_syncs():
    row = Indexer.objects.create(name="Plain", kind="torznab")
    with pytest.raises(IntegrationError, match="is not a Prowlarr instance"):
        prowlarr_sync.sync(row)


def test_the_report_is_json_ready_and_stored(prowlarr):
    config = make_config()
    report = prowlarr_sync.sync(config)
    stored = ProwlarrSyncState.objects.get(indexer=config).last_report
    assert json.loads(json.dumps(report.to_dict())) == stored
    assert stored["message"] == "3 added, 0 updated, 0 removed, 0 unchanged, 3 skipped"


# -- the beat dispatcher ---------------------------------------------------------------------------


def test_sync_due_syncs_a_never_synced_prowlarr_and_schedules_the_next(prowlarr):
    config = make_config()
    assert prowlarr_sync.sync_due() == 1
    assert len(imported(config)) == 3
    state = ProwlarrSyncState.objects.get(indexer=config)
    expected = timezone.now() + timedelta(minutes=60)
    assert abs((state.next_sync_at - expected).total_seconds()) < 60


def test_sync_due_skips_a_prowlarr_that_is_not_due(prowlarr):
    config = make_config()
    ProwlarrSyncState.objects.create(
        indexer=config, next_sync_at=timezone.now() + timedelta(minutes=5)
    )
    assert prowlarr_sync.sync_due() == 0
    assert prowlarr.calls == []


def test_sync_due_skips_disabled_prowlarrs_and_the_disabled_level(prowlarr):
    off = make_config(name="off")
    off.enabled = False
    off.save()
    make_config(name="level off", sync_level="disabled")
    assert prowlarr_sync.sync_due() == 0
    assert prowlarr.calls == []


def test_sync_due_leaves_a_prowlarr_another_dispatcher_claimed(prowlarr, monkeypatch):
    config = make_config()
    past = timezone.now() - timedelta(minutes=1)
    state = ProwlarrSyncState.objects.create(indexer=config, next_sync_at=past)
    stale = ProwlarrSyncState(indexer=config, next_sync_at=past - timedelta(minutes=1))
    real = ProwlarrSyncState.objects.get_or_create
    monkeypatch.setattr(ProwlarrSyncState.objects, "get_or_create", lambda **kw: (stale, False))
    assert prowlarr_sync.sync_due() == 0
    monkeypatch.setattr(ProwlarrSyncState.objects, "get_or_create", real)
    state.refresh_from_db()
    assert state.next_sync_at == past
    assert prowlarr.calls == []


def test_sync_due_records_a_failure_and_reschedules(prowlarr):
    config = make_config()
    prowlarr.failures["indexer"] = Failure(503, "")
    assert prowlarr_sync.sync_due() == 1
    state = ProwlarrSyncState.objects.get(indexer=config)
    assert "HTTP 503" in state.last_error
    assert state.next_sync_at > timezone.now()


# -- with the Torznab/Newznab providers registered ---------------------------------------------------


@pytest.fixture
def nab_registered():
    from integrations.indexers.providers.newznab import Newznab
    from integrations.indexers.providers.torznab import Torznab

    added = [cls for cls in (Newznab, Torznab) if cls.kind not in Indexer.registry]
    for cls in added:
        Indexer.registry.register(cls)
    yield
    for cls in added:
        Indexer.registry._kinds.pop(cls.kind, None)


@pytest.mark.usefixtures("nab_registered")
def test_an_imported_indexer_builds_a_provider_that_calls_prowlarrs_proxy(prowlarr):
    config = make_config()
    prowlarr_sync.sync(config)
    torznab, newznab = imported(config)[4].build_provider(), imported(config)[2].build_provider()
    assert (torznab.kind, torznab.api_url) == ("torznab", f"{BASE}/4/api")
    assert (newznab.kind, newznab.api_url) == ("newznab", f"{BASE}/2/api")
    assert torznab.settings.api_key.get_secret_value() == API_KEY
    assert (torznab.settings.minimum_seeders, torznab.settings.seed_ratio) == (3, 2.0)
    assert newznab.settings.anime_categories == [5070]


@pytest.mark.usefixtures("nab_registered")
def test_with_the_providers_registered_a_second_sync_changes_nothing(prowlarr):
    config = make_config()
    prowlarr_sync.sync(config)
    before = snapshot(config)
    report = prowlarr_sync.sync(config)
    assert (report.updated, report.unchanged) == ([], ALL_ADDED)
    assert snapshot(config) == before


@pytest.mark.usefixtures("nab_registered")
def test_full_sync_keeps_settings_the_user_added_to_an_imported_indexer(prowlarr):
    config = make_config()
    prowlarr_sync.sync(config)
    row = imported(config)[2]
    row.settings = {**row.settings, "additional_parameters": "&attrs=poster"}
    row.save()
    prowlarr.indexer(2)["priority"] = 1
    report = prowlarr_sync.sync(config)
    assert report.updated == ["NZBgeek (Prowlarr)"]
    row.refresh_from_db()
    assert (row.priority, row.settings["additional_parameters"]) == (1, "&attrs=poster")


# -- on demand through the API -------------------------------------------------------------------


def test_the_sync_endpoint_reports_what_it_added(prowlarr, api_client_for):
    config = make_config()
    response = api_client_for("operator").post(f"/api/v1/indexers/{config.pk}/sync")
    assert response.status_code == 200
    assert sorted(response.json()["added"], key=str.lower) == sorted(ALL_ADDED, key=str.lower)


def test_the_sync_endpoint_refuses_an_indexer_that_is_not_prowlarr(prowlarr, api_client_for):
    other = Indexer(name="plain", kind="torznab")
    other.apply_settings(
        other.settings_model().model_validate({"base_url": "http://127.0.0.1:9117"})
    )
    other.save()
    response = api_client_for("operator").post(f"/api/v1/indexers/{other.pk}/sync")
    assert response.status_code == 422 and "not a Prowlarr instance" in response.json()["message"]


def test_the_prowlarr_aggregate_is_not_searched_while_its_indexers_are_synced(prowlarr):
    from integrations.indexers.search import eligible

    config = make_config(sync_level="full")
    prowlarr_sync.sync(config)
    chosen, _ = eligible()
    names = [c.name for c in chosen]
    assert config.name not in names and len(names) == len(ALL_ADDED)


def test_the_console_action_syncs_the_selected_prowlarr(prowlarr, client):
    from tests.conftest import make_user

    user = make_user("operator")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    config = make_config()
    response = client.post(
        "/admin/indexers/indexer/",
        {"action": "sync_from_prowlarr", "_selected_action": [config.pk]},
        follow=True,
    )
    assert "3 added" in response.content.decode()
    assert len(imported(config)) == 3
