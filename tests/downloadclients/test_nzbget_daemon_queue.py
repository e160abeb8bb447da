"""NZBGet queue verbs against a real nzbget 21.0 whose downloads stay queued, and daemons
of a test's own that are paused or killed."""

from __future__ import annotations

import logging

import pytest

from integrations.downloadclients.base import AddRequest, DownloadStatus, Priority
from integrations.errors import ConnectionFailed, IntegrationError, NotFoundError
from tests.daemons.nntp import FakeNntpServer, make_nzb
from tests.downloadclients import nzbget_fixtures as fx
from tests.downloadclients.nzbget_fixtures import (
    make_provider,
    queued_release,
    raw_groups,
    raw_history,
    wait_for,
)

# The fixtures this module uses (a session daemon per module: nzbget starts in ~30 ms).
idle_nzbget_daemon, idle, unique = fx.idle_nzbget_daemon, fx.idle, fx.unique
fresh_nzbget_daemon = fx.fresh_nzbget_daemon

daemon = pytest.mark.daemon
S = DownloadStatus


# -- queue verbs on the idle daemon ---------------------------------------------------------------
@daemon
def test_download_behind_a_busy_connection_stays_queued(idle, unique):
    download_id = queued_release(idle, unique)
    item = wait_for(idle, download_id, lambda i: True)
    assert (item.status, item.raw_state, item.message) == (S.QUEUED, "QUEUED", "queued")


@daemon
def test_pause_makes_a_queued_download_paused(idle, unique):
    download_id = queued_release(idle, unique)
    idle.pause(download_id)
    assert wait_for(idle, download_id, lambda i: True).status == S.PAUSED


@daemon
def test_resume_makes_a_paused_download_queued_again(idle, unique):
    download_id = queued_release(idle, unique, paused=True)
    idle.resume(download_id)
    assert wait_for(idle, download_id, lambda i: True).status == S.QUEUED


@daemon
def test_set_priority_high_gives_nzbget_priority_50(idle, idle_nzbget_daemon, unique):
    download_id = queued_release(idle, unique)
    idle.set_priority(download_id, Priority.HIGH)
    (raw,) = [g for g in raw_groups(idle_nzbget_daemon) if str(g["NZBID"]) == download_id]
    assert raw["MaxPriority"] == 50


@daemon
def test_set_priority_top_moves_the_download_first_with_very_high_priority(
    idle, idle_nzbget_daemon, unique
):
    first, second = queued_release(idle, unique + "a"), queued_release(idle, unique + "b")
    idle.set_priority(second, Priority.TOP)
    groups = raw_groups(idle_nzbget_daemon)
    ids = [str(g["NZBID"]) for g in groups]
    assert ids[0] == second and ids.index(first) > 0
    assert groups[0]["MaxPriority"] == 100


@daemon
def test_set_priority_bottom_moves_the_download_last_with_very_low_priority(
    idle, idle_nzbget_daemon, unique
):
    first, second = queued_release(idle, unique + "a"), queued_release(idle, unique + "b")
    idle.set_priority(first, Priority.BOTTOM)
    groups = raw_groups(idle_nzbget_daemon)
    assert (str(groups[-1]["NZBID"]), groups[-1]["MaxPriority"]) == (first, -100)
    assert second in [str(g["NZBID"]) for g in groups[:-1]]


@daemon
def test_add_with_top_priority_adds_to_the_top(idle, idle_nzbget_daemon, unique):
    queued_release(idle, unique + "a")
    download_id = queued_release(idle, unique + "b", priority=Priority.TOP)
    assert str(raw_groups(idle_nzbget_daemon)[0]["NZBID"]) == download_id


@daemon
def test_set_category_moves_a_queued_download(idle, unique):
    download_id = queued_release(idle, unique)
    idle.set_category(download_id, "movies-idkarr")
    assert wait_for(idle, download_id, lambda i: True).category == "movies-idkarr"


@daemon
def test_category_is_stored_as_spelled_in_nzbget_and_still_found(idle, unique):
    download_id = queued_release(idle, unique, category="TV-IDKARR")
    assert [i.id for i in idle.get_downloads(category="TV-IDKARR")].count(download_id) == 1
    assert idle.get_download(download_id).category == "tv-idkarr"


@daemon
def test_removing_a_queued_download_parks_it_out_of_the_list(idle, idle_nzbget_daemon, unique):
    download_id = queued_release(idle, unique)
    idle.remove(download_id)
    assert idle.get_download(download_id) is None
    assert (
        raw_history(idle_nzbget_daemon)[download_id] == "DELETED/MANUAL"
    )  # NZBGet keeps it; idkarr does not list it


@daemon
def test_removing_a_queued_download_with_data_leaves_no_trace(idle, idle_nzbget_daemon, unique):
    download_id = queued_release(idle, unique)
    idle.remove(download_id, delete_data=True)
    assert idle.get_download(download_id) is None
    assert download_id not in raw_history(idle_nzbget_daemon, hidden=True)


@daemon
def test_adding_the_same_nzb_twice_is_refused_as_a_duplicate(idle, unique):
    nzb = make_nzb([FakeNntpServer().missing(f"{unique}.bin")])
    idle.add(AddRequest(nzb=nzb, name=f"Show.{unique}", category=unique))
    with pytest.raises(IntegrationError, match=r"as a duplicate \(DELETED/COPY\)"):
        idle.add(AddRequest(nzb=nzb, name=f"Show.{unique}", category=unique))


@daemon
def test_non_ascii_title_arrives_intact(idle, unique):
    download_id = idle.add(
        AddRequest(
            nzb=make_nzb([FakeNntpServer().missing(f"{unique}.bin")]),
            name=f"Amélie.Ünïcode.✓.{unique}",
            category=unique,
        )
    )
    assert idle.get_download(download_id).title == f"Amélie.Ünïcode.✓.{unique}"


@daemon
def test_unknown_download_is_not_found(idle):
    with pytest.raises(NotFoundError, match="NZBGet has no download 987654"):
        idle.set_priority("987654", Priority.HIGH)


@daemon
def test_password_never_appears_in_messages(idle, idle_nzbget_daemon, unique, caplog):
    caplog.set_level(logging.DEBUG)
    queued_release(idle, unique)
    messages = [idle.run_test().message]
    for provoke in (
        lambda: idle.pause("987654"),
        lambda: idle.add(AddRequest(nzb=b"<html>nope</html>")),
        lambda: idle.add(AddRequest(magnet="magnet:?xt=urn:btih:" + "a" * 40)),
    ):
        with pytest.raises(IntegrationError) as failure:
            provoke()
        messages.append(str(failure.value))
    with make_provider(idle_nzbget_daemon, password="wrong") as wrong:
        messages.append(wrong.run_test().message)
    with make_provider(idle_nzbget_daemon, port=1) as unreachable:
        messages.append(unreachable.run_test().message)
    messages += [r.getMessage() for r in caplog.records]
    assert len(messages) >= 6
    assert not [m for m in messages if idle_nzbget_daemon.password in m]


# -- a daemon of the test's own -------------------------------------------------------------------
@daemon
def test_paused_nzbget_shows_waiting_downloads_paused_and_is_degraded(fresh_nzbget_daemon, unique):
    with make_provider(fresh_nzbget_daemon) as provider:
        download_id = queued_release(provider, unique)
        fresh_nzbget_daemon.rpc("pausedownload")
        item = provider.get_download(download_id)
        health = provider.health()
    assert (item.status, item.message) == (S.PAUSED, "all downloads are paused in NZBGet")
    assert health.status == "degraded"
    assert "NZBGet has paused all downloads" in health.message


@daemon
def test_nzbget_killed_mid_poll_is_transient_until_restarted(fresh_nzbget_daemon, unique):
    d = fresh_nzbget_daemon
    with make_provider(d) as provider:
        download_id = queued_release(provider, unique)
        assert provider.get_download(download_id) is not None
        d.kill()

        with pytest.raises(ConnectionFailed) as failure:
            provider.get_downloads()
        assert failure.value.permanent is False
        result = provider.run_test()
        assert not result.ok and "Cannot reach NZBGet" in result.message

        d.start()
        assert provider.get_download(download_id).title == f"Show.{unique}"  # queue survived
