"""The web console served from a thread of the Celery worker (``--embedded-web``).

For the single-machine default this makes web, worker and beat one process, as
Sonarr and Radarr are, which halves idle memory. Production runs gunicorn and
workers as separate processes instead.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)


class EmbeddedWebServer:
    def __init__(self, host: str, port: int, threads: int = 8):
        self.host, self.port, self.threads = host, port, threads
        self._server = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from django.core.wsgi import get_wsgi_application
        from waitress.server import create_server

        self._server = create_server(
            get_wsgi_application(),
            host=self.host,
            port=self.port,
            threads=self.threads,
            ident="idkarr",
        )
        self._thread = threading.Thread(target=self._server.run, name="embedded-web", daemon=True)
        self._thread.start()
        log.info("web console listening on http://%s:%s/", self.host, self.port)

    def start_in_background(self) -> None:
        """Start from the worker_ready signal without holding up the worker's own start."""
        threading.Thread(target=self.start, name="embedded-web-start", daemon=True).start()

    def stop(self) -> None:
        if self._server is None:
            return
        from waitress import wasyncore

        self._server.task_dispatcher.shutdown()
        wasyncore.close_all(self._server._map)  # an empty map ends the serving loop
        if self._thread is not None:
            self._thread.join(5)
        self._server = None


def from_environment() -> EmbeddedWebServer:
    return EmbeddedWebServer(
        os.environ.get("IDKARR_BIND", "127.0.0.1"),
        int(os.environ.get("IDKARR_PORT", "8000")),
        int(os.environ.get("IDKARR_WEB_THREADS", "8")),
    )
