"""When lists sync: their interval (never below the service's minimum), one sync per
due time however many workers ask, and the dispatcher's choice of due lists; and
which episodes of an added series each monitor option watches."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from importlists import sync
from importlists.adding import folder_name, monitored_episodes
from importlists.base import Monitor
from importlists.models import ImportList
from tests.importlists.conftest import episode, make_list

TODAY = date(2026, 11, 25)
SHOW = [
    episode(0, 1),
    episode(1, 1, date(2020, 1, 1)),
    episode(1, 2, date(2020, 1, 8)),
    episode(2, 1, date(2026, 11, 1)),
    episode(2, 2, date(2026, 12, 1)),
    episode(2, 3),
]


@pytest.mark.django_db
@pytest.mark.usefixtures("fake_kinds")
class TestSchedule:
    def test_the_interval_defaults_to_the_services_minimum(self):
        assert sync.interval(make_list()) == timedelta(minutes=60)

    def test_an_interval_below_the_services_minimum_is_raised_to_it(self):
        assert sync.interval(make_list(sync_interval_minutes=10)) == timedelta(minutes=60)

    def test_a_longer_interval_is_kept(self):
        assert sync.interval(make_list(sync_interval_minutes=240)) == timedelta(minutes=240)

    def test_a_lists_health_is_checked_every_six_hours(self):
        assert make_list().interval_seconds() == 6 * 3600

    def test_a_new_list_is_due(self):
        config = make_list()
        assert sync.due_ids() == [config.pk]

    def test_a_disabled_list_is_never_due(self):
        make_list(enabled=False)
        assert sync.due_ids() == []

    def test_a_due_list_is_claimed_once(self):
        config = make_list()
        assert [sync.claim(config.pk) is not None, sync.claim(config.pk) is not None] == [
            True,
            False,
        ]

    def test_a_claimed_list_is_next_due_after_its_interval(self):
        config = make_list()
        before = timezone.now()
        sync.claim(config.pk)
        next_at = ImportList.objects.get().next_sync_at
        assert before + timedelta(minutes=60) <= next_at <= timezone.now() + timedelta(minutes=60)


def monitored(option):
    return sorted(monitored_episodes(SHOW, Monitor(option), TODAY))


def test_all_monitors_every_episode_but_specials():
    assert monitored("all") == [(1, 1), (1, 2), (2, 1), (2, 2), (2, 3)]


def test_future_monitors_episodes_not_yet_aired_or_without_a_date():
    assert monitored("future") == [(2, 2), (2, 3)]


def test_pilot_monitors_the_first_episode_only():
    assert monitored("pilot") == [(1, 1)]


def test_first_season_monitors_season_one():
    assert monitored("first_season") == [(1, 1), (1, 2)]


def test_latest_season_monitors_the_highest_season():
    assert monitored("latest_season") == [(2, 1), (2, 2), (2, 3)]


def test_existing_monitors_nothing_of_a_new_series():
    assert monitored("existing") == []


def test_a_folder_name_drops_characters_file_systems_refuse():
    assert folder_name('What If...? "Special": A/B', 2021) == "What If... Special AB (2021)"
