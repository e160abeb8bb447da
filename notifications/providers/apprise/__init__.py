"""Apprise: 100+ services through an Apprise API server or the Apprise library itself.

* ``api`` mode speaks caronc/apprise-api (README and ``api/views.py``, read at HEAD 2026):
  stateful ``POST {server}/notify/{KEY}`` (``tag``: comma = OR, space = AND) or stateless
  ``POST {server}/notify/`` with ``urls``; JSON body ``title``, ``body``, ``type``
  (info/success/warning/failure), ``format`` (text/markdown/html), optional ``attachment``
  URL. With ``Accept: application/json`` it answers ``{"error": null|msg, "details":
  [[level, time, message], ...]}``; 200 sent, 204 no config / no valid URLs, 424 at least
  one service failed, 400/405/421/431 request errors. No auth of its own: Basic auth for
  the reverse proxy in front of it. ``X-Apprise-Log-Level: WARNING`` keeps details short.
* ``library`` mode runs the ``apprise`` package (verified with 2.3.0): ``Apprise.notify``
  returns an ``AppriseResult`` whose ``status`` is SUCCESS/FAILURE/NOMATCH/PARTIAL/TIMEOUT
  and whose per-service ``NotifyResult.logs()`` carry the failure reason (per call, so
  concurrent deliveries never mix their logs). URLs carry tokens and passwords: the whole
  list is a secret, every message is scrubbed of the pieces Apprise itself masks in
  ``urls(privacy=True)``, and the ``apprise`` logger gets a filter that masks any URL
  after its scheme. Unless a URL says otherwise, each service truncates over-long text
  itself (``overflow=truncate``, Apprise knows each service's limits) and uses our
  connect/read timeouts (``cto``/``rto``).
"""

from __future__ import annotations

from typing import Any

import apprise

from idkarr.logging import scrub
from integrations.errors import (
    ConfigurationError,
    IntegrationError,
    ProtocolError,
    RequestTimedOut,
    ServerError,
)
from integrations.http import excerpt, looks_like_html, raise_for_response, redact

from ...base import EventMessage, Notifier
from ...message import render, truncate
from .common import (
    BODY_LIMIT,
    TITLE_LIMIT,
    apprise_asset,
    build_body,
    load_service,
    mask_urls,
    notify_type,
    secret_pieces,
    url_lines,
)
from .settings import AppriseSettings

__all__ = ["Apprise", "AppriseSettings"]


class Apprise(Notifier):
    http_service = "Apprise API"
    kind = "apprise"
    label = "Apprise"
    version = "1.0"
    Settings = AppriseSettings

    settings: AppriseSettings

    def __init__(self, settings: AppriseSettings, *, name: str = ""):
        super().__init__(settings, name=name)
        self._secrets: list[str] | None = None

    def health_url(self) -> str | None:
        return self.settings.server_url if self.settings.mode == "api" else None

    def _urls(self) -> list[str]:
        urls = self.settings.urls
        return [url for _, url in url_lines(urls.get_secret_value())] if urls else []

    # -- secrets ---------------------------------------------------------------
    def scrub(self, text: str) -> str:
        """``text`` without our passwords, URL secrets, or any URL past its scheme/host."""
        if self._secrets is None:
            values: set[str] = set()
            for url in self._urls():
                values |= secret_pieces(url)
            if self.settings.password:
                values.add(self.settings.password.get_secret_value())
            self._secrets = sorted((v for v in values if len(v) >= 3), key=len, reverse=True)
        for value in self._secrets:
            text = text.replace(value, "***")
        return mask_urls(scrub(text))

    # -- sending ---------------------------------------------------------------
    def send(self, message: EventMessage) -> dict[str, Any]:
        r = render(message)
        title = truncate(r.title, TITLE_LIMIT)
        body = truncate(build_body(r, self.settings.body_format), BODY_LIMIT)
        kind = notify_type(message)
        if self.settings.mode == "library":
            return self._send_library(title, body, kind)
        return self._send_api(title, body, kind, r.image_url)

    def _send_library(self, title: str, body: str, kind: str) -> dict[str, Any]:
        timeout = self.settings.timeout_seconds
        sender = apprise.Apprise(asset=apprise_asset(timeout))
        for url in self._urls():
            service = load_service(url, timeout)
            if service is not None:
                sender.add(service)
        total = len(self._urls())
        if len(sender) == 0:
            raise ConfigurationError("None of the Apprise URLs can be loaded any more")
        result = sender.notify(
            body=body, title=title, notify_type=kind, body_format=self.settings.body_format
        )
        ok = apprise.AppriseResultStatus.SUCCESS
        failed = [one for one in result if one.status != ok]
        failed_count = len(failed) + total - len(sender)  # unloadable ones failed too
        if result.status == ok and not failed_count:
            names = ", ".join(one.name for one in result)
            return {"response": f"Delivered to {total} of {total} services ({names})"}
        reasons = []
        for one in failed:
            logs = [e.message for e in one.logs() if e.level in ("WARNING", "ERROR")]
            reason = logs[-1] if logs else one.status.name.lower()
            reasons.append(f"{one.name}: {reason}")
        text = excerpt(self.scrub("; ".join(reasons) or "no reason given"), 300)
        message = f"Apprise could not deliver to {failed_count} of {total} services: {text}"
        details = {"delivered": total - failed_count, "failed": failed_count}
        timeouts = apprise.AppriseResultStatus.TIMEOUT
        if failed and all(one.status == timeouts for one in failed):
            raise RequestTimedOut(message, details=details)
        raise IntegrationError(message, permanent=False, details=details)

    def _send_api(self, title: str, body: str, kind: str, image_url: str) -> dict[str, Any]:
        s = self.settings
        payload: dict[str, Any] = {"title": title, "body": body, "type": kind}
        payload["format"] = s.body_format
        if s.config_key:
            url = f"{s.server_url}/notify/{s.config_key}"
            if s.tags:
                payload["tag"] = s.tags
        else:
            url = f"{s.server_url}/notify/"
            payload["urls"] = " ".join(self._urls())
        if s.include_poster and image_url:
            payload["attachment"] = image_url
        auth = None
        if s.username or s.password:
            auth = (s.username, s.password.get_secret_value() if s.password else "")
        response = self.http.request(
            "POST",
            url,
            json=payload,
            headers={"Accept": "application/json", "X-Apprise-Log-Level": "WARNING"},
            auth=auth,
            raise_status=False,
            allow_redirects=False,
        )
        return self._answer(response)

    def _answer(self, response) -> dict[str, Any]:
        status = response.status_code
        where = f"Apprise API {redact(self.settings.server_url)}"
        text = response.text or ""
        is_html = looks_like_html(response)
        data: Any = None
        if not is_html and text.strip():
            try:
                data = response.json()
            except ValueError:
                data = None
        reason = self._reason(data) if isinstance(data, dict) else excerpt(text)
        reason = excerpt(self.scrub(reason), 300)
        details = {"status_code": status}
        if status == 200:
            if is_html or (text.strip() and not isinstance(data, dict)):
                what = "an HTML page" if is_html else "something that is not JSON"
                raise ProtocolError(
                    f"{where} answered {what} instead of Apprise API's JSON (HTTP 200): "
                    f"{reason}; check the server URL",
                    details=details,
                )
            return {"status_code": status, "response": reason}
        if 200 < status < 300:  # 204: nothing to notify
            what = (
                f"has no configuration (or an empty one) for key '{self.settings.config_key}'"
                if self.settings.config_key
                else "found no valid Apprise URL to notify"
            )
            raise ConfigurationError(
                f"{where} {what}; nothing was sent (HTTP {status})", details=details
            )
        message = f"{where} answered HTTP {status}" + (f": {reason}" if reason else "")
        if status == 424:
            raise ServerError(
                f"{where} could not deliver to one or more services (HTTP 424)"
                + (f": {reason}" if reason else ""),
                details=details,
            )
        if status in (400, 405, 421, 431):
            raise IntegrationError(message, details=details)
        try:
            raise_for_response(response, "Apprise API")
        except IntegrationError as exc:  # keep the class and retry_after, with our message
            exc.message = message
            exc.args = (message,)
            exc.details["status_code"] = status
            raise
        raise IntegrationError(message, details=details)  # 1xx

    @staticmethod
    def _reason(data: dict) -> str:
        """``error`` plus the WARNING/ERROR log lines of ``details``."""
        parts = [str(data["error"])] if data.get("error") else []
        logs = data.get("details")
        if isinstance(logs, list):
            for entry in logs:
                if isinstance(entry, list) and len(entry) >= 3:
                    if str(entry[0]).upper() in ("WARNING", "ERROR", "CRITICAL"):
                        parts.append(str(entry[2]))
        elif isinstance(logs, str) and logs.strip():
            parts.append(logs)
        return "; ".join(parts)
