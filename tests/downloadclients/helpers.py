"""Polling helpers shared by the download-client tests on real daemons."""

from __future__ import annotations

import time

import pytest


def listed_item(provider, download_id):
    """The item ``download_id`` as ``provider.get_downloads()`` lists it, or None."""
    return next((i for i in provider.get_downloads() if i.id == download_id), None)


def wait_for(provider, download_id, predicate, timeout=8.0, *, interval=0.05, lookup=listed_item):
    """Poll ``lookup(provider, download_id)`` until the item satisfies ``predicate``;
    return that item (the test fails, showing the last item seen, after ``timeout``)."""
    deadline = time.monotonic() + timeout
    item = None
    while time.monotonic() < deadline:
        item = lookup(provider, download_id)
        if item is not None and predicate(item):
            return item
        time.sleep(interval)
    pytest.fail(f"{download_id} never matched; last seen: {item}")


def wait_gone(provider, download_id, timeout=8.0, *, interval=0.1):
    """Poll ``get_downloads`` until ``download_id`` is no longer listed (else fail)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(i.id != download_id for i in provider.get_downloads()):
            return
        time.sleep(interval)
    pytest.fail(f"{download_id} is still listed")


def wait_until(condition, timeout=5.0, interval=0.05):
    """Poll ``condition()`` until it is true or ``timeout`` runs out; return its last value.
    Never fails by itself: the caller asserts afterwards."""
    deadline = time.monotonic() + timeout
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(interval)
    return value


def add_paused(provider, kind: str, category: str, data_dir, **fields) -> str:
    """Add a paused torrent to ``provider`` the ``kind`` way: a random ``magnet``, the
    bytes of a ``torrent`` made over a payload in ``data_dir/category``, or that torrent
    as a ``url`` served once by a local server. Returns the provider's id for it."""
    from integrations.downloadclients.base import AddRequest
    from tests.httpserver import RecordingServer, Reply
    from tests.torrentdata import make_torrent, random_magnet

    request = {"category": category, "paused": True, **fields}
    if kind == "magnet":
        return provider.add(AddRequest(magnet=random_magnet()[0], **request))
    torrent, _ = make_torrent(data_dir / category, seed=category.encode())
    if kind == "torrent":
        return provider.add(AddRequest(torrent=torrent, **request))
    with RecordingServer() as srv:
        srv.script([Reply(200, torrent, {"Content-Type": "application/x-bittorrent"})])
        return provider.add(AddRequest(url=f"{srv.url}/release.torrent", **request))
