"""Raw SABnzbd API calls (``{base}/api?mode=…&apikey=…&output=json``), no idkarr semantics.

Every call sends ``output=json`` (SABnzbd 3.x answers plain text without it)
and the API key; the key is never part of an error message or a log line
(URLs go through ``redact()``, and every message is scrubbed of the key and
the proxy password as a last line of defence).

Key errors are not JSON: SABnzbd 3.3+ answers **HTTP 403** with the bare text
``API Key Incorrect`` / ``API Key Required`` (an empty body when API warnings
are off), 3.0–3.2 the same text with HTTP 200. Other failures are the JSON
envelope ``{"status": false, "error": "…"}`` with HTTP 200.
"""

from __future__ import annotations

import re

import requests
from pydantic import SecretStr

from integrations.downloadclients.nzb import NzbError, NzbSummary, read_nzb
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)
from integrations.http import HttpClient, excerpt, looks_like_html, raise_for_response, redact

SERVICE = "SABnzbd"
MIN_VERSION = (3, 0, 0)
KEY_HELP = "copy the API key from SABnzbd's Config → General → Security"
_VERSION_RE = re.compile(r"(\d+)\.(\d+)\.(\d+|x)")

Params = dict[str, str | int]


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``"4.5.1"`` / ``"4.6.0Beta1"`` → ``(4, 5, 1)``; ``"develop"`` (a git build) → None.

    Raises ProtocolError for anything else.
    """
    text = (text or "").strip()
    if text.lower() == "develop":
        return None
    m = _VERSION_RE.search(text)
    if not m:
        raise ProtocolError(
            f"SABnzbd reported an unreadable version {excerpt(text, 40)!r}; "
            "this does not look like SABnzbd's API"
        )
    patch = 0 if m.group(3) == "x" else int(m.group(3))
    return int(m.group(1)), int(m.group(2)), patch


def check_nzb(data: bytes, name: str = "") -> NzbSummary:
    """Refuse bytes that are not an NZB before they reach SABnzbd. Gzip-packed NZBs are
    checked unpacked and sent packed: ``addfile`` takes ``*.nzb.gz``. Raises ProtocolError
    saying what is wrong."""
    try:
        return read_nzb(data, allow_gzip=True)
    except NzbError as exc:
        what = f"{name} is not" if name else "not"
        raise ProtocolError(f"Not sent to SABnzbd: {what} a valid NZB ({exc.reason})") from None


class SabnzbdApi:
    """Typed SABnzbd API calls. ``base_url`` is scheme://host:port[/url_base]."""

    def __init__(
        self,
        base_url: str,
        api_key: SecretStr,
        username: str = "",
        password: SecretStr | None = None,
        *,
        verify_tls: bool = True,
        read_timeout: float = 30.0,
    ):
        self.url = base_url.rstrip("/") + "/api"
        self._key = api_key.get_secret_value()
        secrets = (self._key, password.get_secret_value() if password else "")
        self._secrets = [s for s in secrets if len(s) >= 4]  # shorter ones would mangle text
        self.http = HttpClient(SERVICE, verify_tls=verify_tls, read_timeout=read_timeout)
        if username or password:
            pw = password.get_secret_value() if password else ""
            self.http.session.auth = (username, pw)  # a reverse proxy's basic auth
        self._proxy_login = bool(username)

    def close(self) -> None:
        self.http.close()

    # -- the one request path --------------------------------------------------------
    def call(self, mode: str, params: Params | None = None, *, files: dict | None = None) -> dict:
        """Send ``mode`` (GET, or POST multipart when ``files``) and return the JSON object.

        Raises the error tree; messages never contain the API key or the password.
        """
        query: Params = {"mode": mode, **(params or {}), "apikey": self._key, "output": "json"}
        try:
            method = "POST" if files else "GET"
            r = self.http.request(method, self.url, params=query, files=files, raise_status=False)
            return self._decode(r, mode)
        except IntegrationError as exc:
            exc.message = self._scrub(exc.message)
            exc.args = (exc.message,)
            raise

    def _decode(self, r: requests.Response, mode: str) -> dict:
        text = r.text.strip()
        if r.status_code == 401:
            who = "the username or password" if self._proxy_login else "a login"
            raise AuthenticationError(
                f"The web server in front of SABnzbd refused {who} (HTTP 401); set the "
                "reverse proxy's username and password"
            )
        if r.status_code == 403 or _is_key_error(text):
            raise self._forbidden(text, r.status_code)
        if r.status_code == 404:
            raise NotFoundError(
                f"SABnzbd's API is not at {redact(self.url)} (HTTP 404); check the port and "
                "the URL base (e.g. /sabnzbd)"
            )
        if not 200 <= r.status_code < 300:
            raise_for_response(r, SERVICE)
        if looks_like_html(r):
            raise ProtocolError(
                f"SABnzbd's API answered mode={mode} with an HTML page ({excerpt(text, 60)!r}) "
                "instead of JSON; check the URL base, or whether a reverse proxy wants a login"
            )
        if text.lower().startswith("error:"):  # 3.x plain-text errors
            raise IntegrationError(f"SABnzbd refused mode={mode}: {excerpt(text[6:], 120)}")
        data = self.http.json(r)
        if not isinstance(data, dict):
            raise ProtocolError(f"SABnzbd answered mode={mode} with JSON of an unexpected shape")
        error = data.get("error")
        if data.get("status") is False and error:
            raise self._api_error(mode, str(error))
        return data

    def _forbidden(self, text: str, status: int) -> IntegrationError:
        low = text.lower()
        if "api key incorrect" in low:
            if self.auth_kind() == "nzbkey":
                return AuthenticationError(
                    "That is SABnzbd's NZB key, which can only add NZBs; idkarr needs the full "
                    f"API key ({KEY_HELP})"
                )
            return AuthenticationError(
                f"SABnzbd rejected the API key (API Key Incorrect); {KEY_HELP}"
            )
        if "api key required" in low:
            return AuthenticationError(f"SABnzbd requires an API key; {KEY_HELP}")
        if "external internet access denied" in low:
            return ConfigurationError(
                "SABnzbd refuses API access from idkarr's address (External internet access "
                "denied); allow it in Config → General → External Internet Access"
            )
        if "hostname verification failed" in low:
            return ConfigurationError(
                "SABnzbd refused the host name idkarr uses (Hostname verification failed); add "
                "it to Config → Special → host_whitelist, or connect by IP address"
            )
        if not text:
            return AuthenticationError(
                f"SABnzbd refused the request (HTTP {status}) without a reason (its API warnings "
                f"are off); the API key is most likely wrong: {KEY_HELP}"
            )
        return AuthenticationError(
            f"SABnzbd refused the request (HTTP {status}): {excerpt(text, 80)}"
        )

    def _api_error(self, mode: str, error: str) -> IntegrationError:
        if "api key" in error.lower():
            return self._forbidden(error, 200)
        if error == "not implemented":
            return UnsupportedError(f"This SABnzbd version does not implement mode={mode}")
        if error == "Configuration locked":
            return ConfigurationError("SABnzbd's configuration is locked (Config → Special)")
        return IntegrationError(f"SABnzbd refused mode={mode}: {excerpt(error, 120)}")

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    # -- endpoints -------------------------------------------------------------------
    def version(self) -> str:
        value = self.call("version").get("version")
        if not isinstance(value, str):
            raise ProtocolError(
                f"The server at {redact(self.url)} answered mode=version without a version; "
                "this does not look like SABnzbd"
            )
        return value

    def auth_kind(self) -> str:
        """What SABnzbd thinks the key is: apikey | nzbkey | badkey (needs no valid key)."""
        try:
            r = self.http.get(self.url, params={"mode": "auth", "key": self._key, "output": "json"})
            data = r.json()
        except (IntegrationError, ValueError):
            return ""
        return str(data.get("auth", "")) if isinstance(data, dict) else ""

    def get_config(self, section: str) -> dict:
        config = self.call("get_config", {"section": section}).get("config")
        if not isinstance(config, dict):
            raise ProtocolError("SABnzbd sent its configuration in an unexpected shape")
        return config

    def categories(self) -> list[dict]:
        """The category objects; the default category is named ``*``."""
        cats = self.get_config("categories").get("categories")
        if not isinstance(cats, list) or not all(isinstance(c, dict) for c in cats):
            raise ProtocolError("SABnzbd sent its categories in an unexpected shape")
        return cats

    def sorters(self) -> list[dict]:
        """Sorters (SABnzbd 4.1+); older versions have no such section (empty list)."""
        sorters = self.get_config("sorters").get("sorters") or []
        return [s for s in sorters if isinstance(s, dict)] if isinstance(sorters, list) else []

    def add_url(self, params: Params) -> dict:
        return self.call("addurl", params)

    def add_file(self, data: bytes, filename: str, params: Params) -> dict:
        return self.call("addfile", params, files={"name": (filename, data, "application/x-nzb")})

    def queue(self, limit: int = 0) -> dict:
        """The queue with its first ``limit`` jobs (0: all of them)."""
        queue = self.call("queue", {"start": 0, "limit": limit}).get("queue")
        if not isinstance(queue, dict) or not isinstance(queue.get("slots"), list):
            raise ProtocolError("SABnzbd sent the queue in an unexpected shape")
        return queue

    def history(self, limit: int, nzo_ids: str = "") -> dict:
        params: Params = {"start": 0, "limit": limit}
        if nzo_ids:
            params["nzo_ids"] = nzo_ids
        history = self.call("history", params).get("history")
        if not isinstance(history, dict) or not isinstance(history.get("slots"), list):
            raise ProtocolError("SABnzbd sent the history in an unexpected shape")
        return history

    def queue_action(self, name: str, nzo_id: str, **extra: str | int) -> dict:
        """``mode=queue&name=<pause|resume|delete|priority>&value=<id>…``."""
        return self.call("queue", {"name": name, "value": nzo_id, **extra})

    def history_delete(self, nzo_id: str, del_files: bool, archive: bool) -> None:
        self.call(
            "history",
            {
                "name": "delete",
                "value": nzo_id,
                "del_files": int(del_files),
                "archive": int(archive),
            },
        )

    def change_cat(self, nzo_id: str, category: str) -> bool:
        return self.call("change_cat", {"value": nzo_id, "value2": category}).get("status") is True

    def switch(self, nzo_id: str, index: int) -> int:
        """Move a job to queue ``index``; returns its new position (-1: unknown job)."""
        result = self.call("switch", {"value": nzo_id, "value2": index}).get("result")
        position = result.get("position") if isinstance(result, dict) else None
        if not isinstance(position, int):
            raise ProtocolError("SABnzbd answered mode=switch in an unexpected shape")
        return position


def _is_key_error(text: str) -> bool:
    # SABnzbd 3.0–3.2 answer key errors with HTTP 200 and bare text, not JSON.
    return text.startswith(("API Key Incorrect", "API Key Required", "error: API Key"))
