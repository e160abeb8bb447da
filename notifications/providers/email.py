"""Email: one multipart/alternative message per event over SMTP (stdlib ``smtplib``).

SMTP (RFC 5321) with STARTTLS (RFC 3207, required when chosen: never a silent
downgrade), implicit TLS on 465 (RFC 8314) and AUTH (RFC 4954); RFC 5322 + MIME.
Settings mirror Sonarr v4's Email notification (server, port 587, encryption, login,
from, to/cc/bcc, one recipient at least); the body is text/plain + text/html instead
of Sonarr's plain text. Bcc is envelope-only. Verified against a real aiosmtpd 1.4.6
server: plain, STARTTLS, SMTPS, AUTH, refused sender/recipients, 4xx/5xx, disconnects.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html as html_lib
import ipaddress
import re
import smtplib
import socket
import ssl
import time
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator

from idkarr import __version__
from integrations.base import HEALTHY, UNHEALTHY, Health
from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    IntegrationError,
    ProtocolError,
    RequestTimedOut,
    ServerError,
)
from integrations.http import excerpt

from ..base import EventMessage, NotificationSettings, Notifier
from ..message import Rendered, render, truncate

# RFC 5322 allows 998 characters per header line (the policy folds longer ones) but
# clients show far fewer: subjects are capped like the summary's titles, bodies bounded.
SUBJECT_LIMIT = 200
TEXT_LIMIT = 100_000  # characters of the event text per part
FIELD_LIMIT = 1_000  # characters per field value
ADDRESS_LIMIT = 254  # RFC 5321 path length without the angle brackets

# Quoted-printable/base64 for non-ASCII text: no reliance on the server's 8BITMIME.
_POLICY = policy.SMTP.clone(cte_type="7bit")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_ADDR_SPEC = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*$")
_MAILBOX = re.compile(
    r'^(?:(?P<name>"[^"]*"|[^"<>]*?)\s*<(?P<addr>[^<>\s]+)>|(?P<bare>[^<>\s"]+))$'
)
_LIST_ITEM = re.compile(r'(?:"[^"]*"|[^,;\n])+')
_HOSTNAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?$")


def _mailbox(value: str) -> str:
    """One validated mailbox (``a@b.c`` or ``Name <a@b.c>``), normalised."""
    value = value.strip()
    example = "must be an email address such as name@example.com or Name <name@example.com>"
    if not value or _CONTROL.search(value):
        raise ValueError(f"{value!r} {example}")
    shape = _MAILBOX.match(value)
    name, addr = parseaddr(value)
    expected = (shape.group("addr") or shape.group("bare")) if shape else None
    if not shape or addr != expected or len(addr) > ADDRESS_LIMIT or not _ADDR_SPEC.match(addr):
        raise ValueError(f"{value!r} {example}")
    return str(Address(display_name=name, addr_spec=addr)) if name else addr


def _mailbox_list(value: Any) -> list[str]:
    """Mailboxes from a list or one string separated by commas, semicolons or lines."""
    items = [value] if isinstance(value, str) else value if value is not None else []
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise ValueError("must be a list of email addresses")
    parts = [part for item in items for part in _LIST_ITEM.findall(item)]
    return [_mailbox(part) for part in parts if part.strip()]


def _web(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")


def _addr(mailbox: str) -> str:
    return parseaddr(mailbox)[1]


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


class EmailSettings(NotificationSettings):
    """Which SMTP server to use and who receives the events."""

    server: str = Field(description="SMTP server host name or IP address, e.g. smtp.example.com")
    port: int = Field(587, ge=1, le=65535, description="587 STARTTLS, 465 SSL, 25 none")
    encryption: Literal["none", "starttls", "ssl"] = Field(
        "starttls", description="starttls (required when chosen), ssl (SMTPS) or none"
    )
    verify_tls: bool = Field(True, description="Verify the TLS certificate (off: self-signed)")
    username: str = Field("", description="SMTP login; leave empty to send without logging in")
    password: SecretStr | None = Field(None, description="SMTP password (needs a username)")
    from_address: str = Field(description="Sender, e.g. idkarr <idkarr@example.com>")
    to: list[str] = Field(default_factory=list, description="To recipients (email addresses)")
    cc: list[str] = Field(default_factory=list, description="Cc recipients (email addresses)")
    bcc: list[str] = Field(default_factory=list, description="Bcc recipients (in no header)")
    subject_prefix: str = Field("[idkarr]", max_length=50, description="Before every subject")
    timeout_seconds: float = Field(30.0, gt=0, le=300, description="Seconds to wait per reply")

    @field_validator("server")
    @classmethod
    def _host(cls, value: str) -> str:
        if "://" in value:
            raise ValueError("must be a host name, not a URL (drop the smtp:// part)")
        with contextlib.suppress(ValueError):
            return str(ipaddress.ip_address(value.removeprefix("[").removesuffix("]")))
        if ":" in value:
            raise ValueError("must be a host name without a port (use the port setting)")
        if not _HOSTNAME.match(value) or len(value) > 253:
            raise ValueError("must be a host name or IP address, e.g. smtp.example.com")
        return value

    @field_validator("from_address", mode="before")
    @classmethod
    def _sender(cls, value: Any) -> str:
        if len(mailboxes := _mailbox_list(value)) != 1:
            raise ValueError("must be exactly one email address")
        return mailboxes[0]

    @field_validator("to", "cc", "bcc", mode="before")
    @classmethod
    def _recipients(cls, value: Any) -> list[str]:
        return _mailbox_list(value)

    @field_validator("username", "subject_prefix")
    @classmethod
    def _no_control(cls, value: str) -> str:
        if _CONTROL.search(value):
            raise ValueError("must not contain control characters or line breaks")
        return value

    @model_validator(mode="after")
    def _complete(self) -> EmailSettings:
        if not (self.to or self.cc or self.bcc):
            raise ValueError("at least one recipient is needed in to, cc or bcc")
        password = _secret(self.password)
        if _CONTROL.search(password):
            raise ValueError("password must not contain control characters or line breaks")
        if self.username and not password:
            raise ValueError("a username needs a password")
        if password and not self.username:
            raise ValueError("a password needs a username")
        return self


class _ReplyMixin:
    """Keeps the server's answer to DATA (``sendmail`` drops it) for the delivery log."""

    data_reply: tuple[int, bytes] | None = None

    def data(self, msg):
        self.data_reply = super().data(msg)
        return self.data_reply


class _SMTP(_ReplyMixin, smtplib.SMTP): ...


class _SMTPS(_ReplyMixin, smtplib.SMTP_SSL): ...


# Errors after which the server still talks SMTP (QUIT is polite); others just close.
_ANSWERED = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


class Email(Notifier):
    kind = "email"
    label = "Email"
    version = "1.0"
    Settings = EmailSettings

    settings: EmailSettings

    @property
    def where(self) -> str:
        s = self.settings
        return f"[{s.server}]:{s.port}" if ":" in s.server else f"{s.server}:{s.port}"

    @property
    def who(self) -> str:
        return f"Email: the SMTP server {self.where}"

    # -- message -----------------------------------------------------------------
    def build(self, message: EventMessage) -> EmailMessage:
        """The MIME message for one event (no Bcc header; the envelope carries them)."""
        rendered = render(message)
        s = self.settings
        rendered = dataclasses.replace(
            rendered,
            title=_CONTROL.sub(" ", rendered.title),
            text=truncate(rendered.text, TEXT_LIMIT),
            fields=[(name, truncate(value, FIELD_LIMIT)) for name, value in rendered.fields],
        )
        subject = " ".join(p for p in (s.subject_prefix, rendered.title) if p)
        msg = EmailMessage(policy=_POLICY)
        msg["Subject"] = truncate(subject, SUBJECT_LIMIT)
        msg["From"] = s.from_address
        if s.to or not s.cc:
            msg["To"] = ", ".join(s.to) or "undisclosed-recipients:;"  # bcc only
        if s.cc:
            msg["Cc"] = ", ".join(s.cc)
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        msg["Message-ID"] = make_msgid("idkarr", domain=_addr(s.from_address).rsplit("@")[-1])
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies
        msg["X-Mailer"] = f"idkarr/{__version__}"
        msg["X-Idkarr-Event"] = message.event_type
        if message.delivery_id is not None:
            msg["X-Idkarr-Delivery"] = str(message.delivery_id)
        msg.set_content(self._text(rendered, message), charset="utf-8")
        msg.add_alternative(self._html(rendered, message), subtype="html", charset="utf-8")
        return msg

    @staticmethod
    def _text(r: Rendered, message: EventMessage) -> str:
        fields = "\n".join(f"{name}: {value}" for name, value in r.fields)
        parts = [r.title, r.text, fields, r.link, f"-- \nSent by {message.instance_name}"]
        return "\n\n".join(p for p in parts if p) + "\n"

    @staticmethod
    def _html(r: Rendered, message: EventMessage) -> str:
        esc = html_lib.escape
        body = r.html() if _web(r.link) else dataclasses.replace(r, link="").html()
        if r.link and not _web(r.link):  # never a javascript:/data: link: plain text only
            body += "\n" + esc(r.link)
        body = body.replace("\n", "<br>\n")
        image = f'<p><img src="{esc(r.image_url, quote=True)}" alt="Poster" width="200"></p>\n'
        image = image if r.image_url and _web(r.image_url) else ""
        return (
            "<!DOCTYPE html>\n<html>\n<head>\n"
            '<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(r.title)}</title>\n</head>\n"
            '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">\n'
            f'<div style="max-width:600px;border-left:4px solid {r.colour_hex};padding:8px 16px">\n'
            f"{image}<p>{body}</p>\n</div>\n"
            f'<p style="font-size:12px;color:#888">Sent by {esc(message.instance_name)}</p>\n'
            "</body>\n</html>\n"
        )

    # -- sending -----------------------------------------------------------------
    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self.settings.verify_tls:  # the user chose to accept self-signed certificates
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        return context

    def _connect(self) -> _SMTP | _SMTPS:
        s = self.settings
        if s.encryption == "ssl":
            return _SMTPS(s.server, s.port, timeout=s.timeout_seconds, context=self._tls_context())
        return _SMTP(s.server, s.port, timeout=s.timeout_seconds)

    def _prepare(self, smtp: smtplib.SMTP) -> None:
        """EHLO, STARTTLS (required when chosen: never a silent downgrade), then login."""
        s = self.settings
        smtp.ehlo_or_helo_if_needed()
        if s.encryption == "starttls":
            if not smtp.has_extn("starttls"):
                raise ConfigurationError(f"{self.who} does not offer STARTTLS; choose ssl or none")
            smtp.starttls(context=self._tls_context())
            smtp.ehlo()
        if s.username:
            if not smtp.has_extn("auth"):
                plain = " on an unencrypted connection" if s.encryption == "none" else ""
                raise ConfigurationError(f"{self.who} does not offer login (AUTH){plain}")
            smtp.login(s.username, _secret(s.password))

    def send(self, message: EventMessage) -> dict[str, Any]:
        """Send one email. Returns ``{"status_code", "response", "message_id", "recipients"}``
        (plus ``refused`` when the server refused some, not all, recipients)."""
        s = self.settings
        msg = self.build(message)
        sender = _addr(s.from_address)
        recipients: dict[str, str] = {}  # one copy per address (first spelling kept)
        for mailbox in [*s.to, *s.cc, *s.bcc]:
            recipients.setdefault(_addr(mailbox).lower(), _addr(mailbox))
        smtp: smtplib.SMTP | None = None
        talking = False  # whether the server still answers: then say QUIT politely
        try:
            smtp = self._connect()
            talking = True
            self._prepare(smtp)
            refused = smtp.send_message(msg, from_addr=sender, to_addrs=list(recipients.values()))
            code, reply = smtp.data_reply or (250, b"")
        except (OSError, UnicodeError) as exc:  # smtplib and ssl errors are OSErrors
            talking = talking and isinstance(exc, _ANSWERED)
            raise self._error(exc) from None
        finally:
            if smtp is not None:
                with contextlib.suppress(OSError):  # a failing QUIT never fails a delivery
                    if talking:
                        smtp.quit()
                smtp.close()
        details: dict[str, Any] = {"status_code": code, "response": self._reply(reply)}
        details |= {"message_id": msg["Message-ID"], "recipients": len(recipients) - len(refused)}
        if refused:
            details["refused"] = {addr: f"{c} {self._reply(r)}" for addr, (c, r) in refused.items()}
        return details

    # -- errors ------------------------------------------------------------------
    def _reply(self, reply: bytes | str) -> str:
        """A server reply (or error text) for messages: one line, our password masked."""
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
        text = truncate(" ".join(text.split()), 300)  # not excerpt(): it drops <addresses>
        password = _secret(self.settings.password)
        return text.replace(password, "***") if len(password) >= 3 else text

    def _error(self, exc: Exception) -> IntegrationError:
        """smtplib/ssl/socket failures → the error tree: 4xx replies and network trouble are
        transient, 5xx replies and TLS/auth/address problems permanent."""
        where, s = self.who, self.settings
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            refused = exc.recipients.items()
            text = f"{where} refused every recipient: " + "; ".join(
                f"{addr}: {code} {self._reply(reply)}" for addr, (code, reply) in refused
            )
            codes = [code for code, _ in exc.recipients.values()] or [550]
            cls = ServerError if all(400 <= c < 500 for c in codes) else ConfigurationError
            return cls(text, details={"smtp_code": codes[0]})
        if isinstance(exc, smtplib.SMTPResponseException):
            code, reply = exc.smtp_code, self._reply(exc.smtp_error)
            if not 100 <= code < 600:  # -1: a line that is no SMTP reply (HTTP, garbage)
                return ProtocolError(f"{where} did not answer like an SMTP server: {reply}")
            permanent: type[IntegrationError] = IntegrationError
            text = f"{where} answered {code} {reply}"
            if isinstance(exc, smtplib.SMTPAuthenticationError):
                permanent = AuthenticationError
                text = f"{where} refused the login for {s.username!r}: {code} {reply}"
            elif isinstance(exc, smtplib.SMTPSenderRefused):
                permanent = ConfigurationError
                text = f"{where} refused the sender {exc.sender}: {code} {reply}"
            elif isinstance(exc, smtplib.SMTPDataError):
                text = f"{where} rejected the message: {code} {reply}"
            cls = ServerError if 400 <= code < 500 else permanent
            return cls(text, details={"smtp_code": code})
        if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
            # smtplib reports a read timeout as a disconnect caused by it
            return RequestTimedOut(f"{where} did not answer within {s.timeout_seconds:g}s")
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            return ConnectionFailed(f"{where} closed the connection unexpectedly")
        if isinstance(exc, smtplib.SMTPException):  # an OSError too: before the network cases
            return IntegrationError(f"{where}: {self._reply(str(exc))}")
        if isinstance(exc, ssl.SSLCertVerificationError):
            return ConfigurationError(
                f"{where} presented a TLS certificate that cannot be verified "
                f"({exc.verify_message or excerpt(str(exc))}); install a trusted certificate "
                "or turn off verify_tls for a self-signed one"
            )
        if isinstance(exc, ssl.SSLError):
            return ConfigurationError(
                f"{where}: TLS handshake failed ({exc.reason or excerpt(str(exc))}); check the "
                "encryption setting and port (465 is usually ssl, 587 starttls)"
            )
        if isinstance(exc, ConnectionRefusedError):
            return ConnectionFailed(f"{where} refused the connection")
        if isinstance(exc, socket.gaierror):
            return ConnectionFailed(f"Email: cannot resolve the SMTP server {s.server}")
        if isinstance(exc, OSError):
            return ConnectionFailed(f"{where} cannot be reached: {type(exc).__name__}")
        # UnicodeEncodeError: smtplib sends the login in ASCII only
        return ConfigurationError(f"{where}: the login has characters SMTP AUTH cannot send")

    # -- health ------------------------------------------------------------------
    def health(self) -> Health:
        """Passive: a TCP connection to server:port, closed at once (no login, no message)."""
        now, started, s = datetime.now(UTC), time.monotonic(), self.settings
        try:
            socket.create_connection((s.server, s.port), min(5.0, s.timeout_seconds)).close()
        except OSError as exc:
            reason = {ConnectionRefusedError: "connection refused", TimeoutError: "timed out"}
            why = reason.get(type(exc), type(exc).__name__)
            return Health(UNHEALTHY, None, now, f"Cannot reach the SMTP server {self.where}: {why}")
        ms = int((time.monotonic() - started) * 1000)
        return Health(HEALTHY, ms, now, f"{self.where} is reachable (no login, no message sent)")
