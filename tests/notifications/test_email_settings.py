"""Email notifier: settings validation and health."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from integrations.base import HEALTHY, UNHEALTHY
from notifications.providers.email import (
    Email,
    EmailSettings,
)
from tests.conftest import free_port
from tests.notifications.email_support import (
    PASSWORD,
    USER,
    server,  # noqa: F401
    settings,
    smtp_server,  # noqa: F401
)


# -- settings validation ---------------------------------------------------------------
def test_defaults_are_port_587_starttls_with_verification():
    s = EmailSettings(server="smtp.example.com", from_address="a@example.com", to=["b@example.com"])
    assert (s.port, s.encryption, s.verify_tls, s.subject_prefix) == (
        587,
        "starttls",
        True,
        "[idkarr]",
    )


def test_at_least_one_recipient_is_required():
    with pytest.raises(ValidationError, match="at least one recipient"):
        settings(25, to=[], cc=[], bcc=[])


@pytest.mark.parametrize(
    "address",
    [
        "bob",
        "bob@",
        "@example.com",
        "bob@@example.com",
        "bob@exa mple.com",
        "<bob@example.com",
        "bob@example.com\r\nBcc: x@y.z",
        "bób@example.com",
        "bob@-bad-.com",
    ],
)
def test_invalid_recipient_is_rejected_with_the_reason(address):
    with pytest.raises(ValidationError, match="must be an email address"):
        settings(25, to=[address])


def test_invalid_from_address_is_rejected():
    with pytest.raises(ValidationError, match="from_address"):
        settings(25, from_address="not-an-address")


def test_two_from_addresses_are_rejected():
    with pytest.raises(ValidationError, match="exactly one email address"):
        settings(25, from_address="a@example.com, b@example.com")


def test_recipients_may_be_given_as_one_comma_separated_string():
    s = settings(25, to='alice@example.com; "Doe, Bob" <bob@example.com>\ncarol@example.com')
    assert s.to == ["alice@example.com", '"Doe, Bob" <bob@example.com>', "carol@example.com"]


@pytest.mark.parametrize(
    ("server", "reason"),
    [
        ("smtp://mail.example.com", "not a URL"),
        ("mail.example.com:587", "without a port"),
        ("mail example.com", "host name or IP address"),
    ],
)
def test_invalid_server_is_rejected_with_the_reason(server, reason):
    with pytest.raises(ValidationError, match=reason):
        settings(25, server=server)


def test_ipv6_server_is_accepted_without_brackets():
    assert settings(25, server="[::1]").server == "::1"


def test_password_without_username_is_rejected():
    with pytest.raises(ValidationError, match="a password needs a username"):
        settings(25, password=PASSWORD)


def test_username_without_password_is_rejected():
    with pytest.raises(ValidationError, match="a username needs a password"):
        settings(25, username=USER)


def test_unknown_setting_is_rejected():
    with pytest.raises(ValidationError, match="extra"):
        settings(25, use_ssl=True)


def test_every_setting_has_a_description():
    schema = EmailSettings.model_json_schema()["properties"]
    assert all(prop.get("description") for prop in schema.values())


# -- health --------------------------------------------------------------------------
def test_health_probes_the_port_without_sending(server):
    result = Email(settings(server.port)).health()
    assert result.status == HEALTHY
    assert "no message sent" in result.message
    assert server.envelopes == []


def test_health_is_unhealthy_when_the_server_refuses():
    port = free_port()
    result = Email(settings(port)).health()
    assert result.status == UNHEALTHY
    assert f"127.0.0.1:{port}: connection refused" in result.message
