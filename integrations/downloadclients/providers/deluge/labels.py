"""Deluge labels: the Label plugin (turned on when allowed), label creation and assignment.

The plugin (``deluge_label``, bundled with Deluge 2.x) lowercases a new label
and accepts only ``[a-z0-9_.-]``; idkarr rejects anything else up front rather
than let a configured ``TV`` silently become ``tv``. Labels are cached per
provider instance; an "Unknown Label" from Deluge (removed meanwhile) empties
the cache entry and creates the label again once.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from integrations.errors import ConfigurationError, IntegrationError, NotFoundError

from .client import DelugeApi, UnknownMethod

log = logging.getLogger(__name__)

PLUGIN = "Label"
PLUGIN_SETTLE_TIMEOUT = 3.0  # how long the Web UI may take to offer label.* after enabling
LABEL_HELP = "use lowercase letters a-z, digits 0-9, '-', '_' and '.' only"
# The plugin's own rule (deluge_label/core.py RE_VALID), applied after it lowercases.
_LABEL_RE = re.compile(r"^[a-z0-9_.-]+$")
_FIX = "enable the Label plugin in Deluge (Preferences → Plugins → Label)"


def check_label(name: str) -> None:
    """Raise ConfigurationError unless Deluge's Label plugin accepts ``name`` as it is."""
    if name and not _LABEL_RE.match(name):
        raise ConfigurationError(f"{name!r} is not a valid Deluge label; {LABEL_HELP}")


class Labels:
    """Label operations for one provider. ``api`` returns the (version-checked) client;
    ``may_enable`` says whether the plugin may be turned on."""

    def __init__(self, api: Callable[[], DelugeApi], may_enable: Callable[[], bool]):
        self._api = api
        self._may_enable = may_enable
        self._plugin_ok = False
        self._known: set[str] = set()

    def forget(self) -> None:
        self._plugin_ok = False
        self._known = set()

    def ensure_plugin(self) -> bool:
        """Make sure the Label plugin is on. Returns True when it was just turned on."""
        if self._plugin_ok:
            return False
        api = self._api()
        if PLUGIN in api.enabled_plugins():
            self._plugin_ok = True
            return False
        if not self._may_enable():
            raise ConfigurationError(f"Deluge's Label plugin is off; {_FIX}, or clear the labels")
        if PLUGIN not in api.available_plugins() or not api.enable_plugin(PLUGIN):
            raise ConfigurationError(
                f"Deluge's Label plugin is off and could not be turned on; {_FIX}"
            )
        log.info("Enabled Deluge's Label plugin")
        # The Web UI learns the plugin's methods from an event, a moment after enabling.
        deadline = time.monotonic() + PLUGIN_SETTLE_TIMEOUT
        while True:
            try:
                api.labels()
                break
            except UnknownMethod:
                if time.monotonic() >= deadline:
                    raise ConfigurationError(
                        "Deluge turned the Label plugin on, but its Web UI does not offer it "
                        f"yet; restart deluge-web, or {_FIX}"
                    ) from None
                time.sleep(0.1)
        self._plugin_ok = True
        return True

    def refresh(self) -> list[str]:
        """The labels Deluge has now (plugin turned on first if needed)."""
        self.ensure_plugin()
        try:
            labels = self._api().labels()
        except UnknownMethod:  # the plugin was turned off behind our back
            self._plugin_ok = False
            self.ensure_plugin()
            labels = self._api().labels()
        self._known = set(labels)
        return labels

    def ensure(self, name: str, *, refresh: bool = False) -> None:
        """Create label ``name`` unless Deluge has it. ``""`` means no label: nothing to do."""
        if not name or (name in self._known and not refresh):
            return
        check_label(name)
        if name not in self.refresh():
            try:
                self._api().add_label(name)
            except IntegrationError as exc:
                remote = exc.details.get("deluge_message", "")
                if "already exists" not in remote:  # someone else was quicker: fine
                    raise _label_error(name, exc) from None
        self._known.add(name)

    def set(self, torrent_hash: str, name: str) -> None:
        """Give a torrent label ``name`` (created if missing); ``""`` removes its label."""
        self.ensure(name)
        self.ensure_plugin()
        api = self._api()
        try:
            api.set_label(torrent_hash, name)
        except NotFoundError:  # the plugin's "Unknown Torrent" names no id
            raise NotFoundError(f"Deluge has no torrent {torrent_hash}") from None
        except IntegrationError as exc:
            if exc.details.get("deluge_message") != "Unknown Label":
                raise
            # Our cache said it existed, but Deluge disagrees (removed meanwhile): once more.
            self._known.discard(name)
            self.ensure(name, refresh=True)
            api.set_label(torrent_hash, name)


def _label_error(name: str, exc: IntegrationError) -> IntegrationError:
    remote = exc.details.get("deluge_message", "")
    if "Invalid label" in remote or "Empty Label" in remote:
        return ConfigurationError(f"Deluge rejected the label {name!r}: {remote}")
    return exc
