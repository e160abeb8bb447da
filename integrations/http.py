"""The one place that builds outbound HTTP sessions and maps their failures.

Every provider talks HTTP through ``HttpClient``: default timeouts, the
``idkarr/<version>`` User-Agent, TLS verification on unless the user turned it
off for that integration, and every ``requests`` failure turned into the error
tree of ``integrations.errors`` with a message that names the service and never
a secret.
"""

from __future__ import annotations

import ipaddress
import re
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from idkarr import __version__

from .errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    RateLimited,
    RequestTimedOut,
    ServerError,
)
from .proxy_route import ProxyRoute, connection_reason, proxy_failure

USER_AGENT = f"idkarr/{__version__}"
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0

# Query parameters and userinfo that may carry credentials; redacted in logs and messages.
_SECRET_PARAMS = re.compile(r"(api_?key|apikey|token|pass(word)?|secret|auth|sid|key|sig)", re.I)


# Tokens some services carry in the path: Telegram /bot<token>/, Discord
# /webhooks/<id>/<token>, Slack /services/<T>/<B>/<token>, Home Assistant /api/webhook/<id>.
_PATH_SECRETS = [
    (re.compile(r"/bot\d+:[^/]+"), "/bot***"),
    (re.compile(r"(/webhooks/\d+/)[^/?]+"), r"\1***"),
    (re.compile(r"(/services/[^/]+/[^/]+/)[^/?]+"), r"\1***"),
    (re.compile(r"(/api/webhook/)[^/?]+"), r"\1***"),
]


def redact(url: str) -> str:
    """Return ``url`` with credentials (userinfo, secret-looking query values, known
    path tokens) replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, "***" if _SECRET_PARAMS.search(k) else v) for k, v in pairs], safe="*"
        )
    path = parts.path
    for pattern, replacement in _PATH_SECRETS:
        path = pattern.sub(replacement, path)
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def masked(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with every one of ``secrets`` replaced by ``***`` (before any cutting,
    so that no fragment of a secret survives an excerpt)."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def body_excerpt(response: requests.Response, limit: int = 200) -> str:
    """An excerpt of ``response``'s body for a message, without the secrets of the
    client that fetched it (``HttpClient(secrets=…)``), even one the remote echoed."""
    return excerpt(masked(response.text, getattr(response, "idkarr_secrets", ())), limit)


def excerpt(text: str, limit: int = 200) -> str:
    """A short single-line excerpt of a response body for error messages."""
    text = re.sub(r"<[^>]+>", " ", text or "")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        from datetime import UTC, datetime

        when = parsedate_to_datetime(value)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError, IndexError):
        return None


def on_loopback(url: str) -> bool:
    """Whether ``url`` points at this machine."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def looks_like_html(response: requests.Response) -> bool:
    """An HTML page (a proxy's login page, a web UI) where an API answer was expected."""
    return "html" in response.headers.get("Content-Type", "") or response.text.lstrip()[:1] == "<"


def raise_for_response(response: requests.Response, service: str) -> None:
    """Map a non-2xx response to the error tree. Providers refine vendor bodies first."""
    status = response.status_code
    if 200 <= status < 300:
        return
    body = body_excerpt(response)
    suffix = f": {body}" if body else ""
    if 300 <= status < 400:
        where = redact(response.headers.get("Location", "")) or "another URL"
        raise ConfigurationError(
            f"{service} redirected the request (HTTP {status}) to {where}; use that URL instead"
        )
    if status in (401, 403):
        raise AuthenticationError(f"{service} refused the credentials (HTTP {status}){suffix}")
    if status == 404:
        raise NotFoundError(f"{service} answered HTTP 404 Not Found; check the URL base{suffix}")
    if status == 408:
        raise RequestTimedOut(f"{service} timed out handling the request (HTTP 408)")
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise RateLimited(
            f"{service} is rate limiting requests (HTTP 429)", retry_after=retry_after
        )
    if status >= 500:
        raise ServerError(f"{service} had a server error (HTTP {status}){suffix}")
    raise IntegrationError(f"{service} rejected the request (HTTP {status}){suffix}")


class HttpClient:
    """A ``requests.Session`` with our defaults and error mapping, one per provider instance."""

    def __init__(
        self,
        service: str,
        *,
        verify_tls: bool = True,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        proxy: ProxyRoute | None = None,
        secrets: tuple[str, ...] = (),
    ):
        self.service = service
        self.proxy = proxy
        # Kept out of every message built from an answer's body (a remote may echo them).
        self.secrets = tuple(sorted((x for x in secrets if len(x) >= 4), key=len, reverse=True))
        self.timeout = (connect_timeout, read_timeout)
        self.session = requests.Session()
        self.session.verify = verify_tls
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.trust_env = (
            False  # never route loopback or LAN services through a proxy env var
        )
        if proxy is not None:  # a proxy chosen for this integration carries all of it
            self.session.proxies = {"http": proxy.url, "https": proxy.url}

    def uncompressed_on_loopback(self, url: str) -> None:
        """Ask a daemon on this machine for uncompressed answers: there, gzip only costs
        CPU on both ends (about half a daemon's work answering a large queue)."""
        if on_loopback(url):
            self.session.headers["Accept-Encoding"] = "identity"

    def request(
        self, method: str, url: str, *, raise_status: bool = True, **kwargs
    ) -> requests.Response:
        """Send a request. Raises the error tree on network failures and, unless
        ``raise_status`` is false, on non-2xx answers."""
        kwargs.setdefault("timeout", self.timeout)
        # A redirected POST turns into a body-less GET and may carry auth to another host.
        kwargs.setdefault("allow_redirects", method.upper() in ("GET", "HEAD"))
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.exceptions.RequestException as exc:
            raise self._failure(exc, url) from None
        response.idkarr_secrets = self.secrets
        if self.proxy is not None and response.status_code == 407:
            response.close()
            raise AuthenticationError(
                f"{self.proxy.label} refused the login (HTTP 407) for {self.service}: check "
                "the proxy's username and password"
            )
        if raise_status:
            raise_for_response(response, self.service)
        return response

    def _failure(self, exc: requests.exceptions.RequestException, url: str) -> IntegrationError:
        """The error tree's exception for a request that got no answer."""
        if self.proxy is not None:
            failure = proxy_failure(exc, self.proxy, self.service)
            if failure is not None:
                return failure
        if isinstance(exc, requests.exceptions.SSLError):
            return ConnectionFailed(
                f"TLS handshake with {self.service} failed ({_tls_reason(exc)}); "
                "check the TLS setting, the port, or the certificate",
                permanent=True,
            )
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return RequestTimedOut(f"Connecting to {self.service} at {redact(url)} timed out")
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return RequestTimedOut(f"{self.service} did not answer within {self.timeout[1]:g} s")
        if isinstance(exc, requests.exceptions.ConnectionError):
            return ConnectionFailed(
                f"Cannot reach {self.service} at {redact(url)}: {connection_reason(str(exc))}"
            )
        if isinstance(
            exc,
            (
                requests.exceptions.InvalidURL,
                requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema,
            ),
        ):
            return ConfigurationError(f"Invalid URL for {self.service}: {type(exc).__name__}")
        return ConnectionFailed(f"Request to {self.service} failed: {type(exc).__name__}")

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> requests.Response:
        return self.request("POST", url, **kwargs)

    def json(self, response: requests.Response) -> object:
        """Decode a JSON body, or raise ProtocolError saying what came instead."""
        try:
            return response.json()
        except ValueError:
            what = "an HTML page" if looks_like_html(response) else "invalid JSON"
            raise ProtocolError(
                f"{self.service} returned {what} instead of JSON (HTTP {response.status_code}): "
                f"{body_excerpt(response, 120)}"
            ) from None

    def close(self) -> None:
        self.session.close()


def _tls_reason(exc: Exception) -> str:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return "certificate not trusted"
    if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text or "UNEXPECTED_EOF" in text:
        return "the server does not speak TLS on this port"
    return "TLS error"


class HttpProvider:
    """Mixin of a provider that talks HTTP through one lazily built ``HttpClient``:
    its TLS check (``settings.verify_tls``), read timeout (``settings.timeout_seconds``)
    and proxy come from the provider; ``close()`` releases the session."""

    _http: HttpClient | None = None

    @property
    def http(self) -> HttpClient:
        if self._http is None:
            settings = self.settings
            self._http = HttpClient(
                self.name,
                verify_tls=getattr(settings, "verify_tls", True),
                read_timeout=getattr(settings, "timeout_seconds", READ_TIMEOUT),
                proxy=self.proxy,
                secrets=tuple(settings.secret_dict().values()),
            )
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
