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
