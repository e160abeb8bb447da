"""The provider contract, checked for every registered kind of every family."""

from __future__ import annotations

import typing

import pytest
from pydantic import SecretStr

from integrations.downloadclients.base import Capability
from integrations.families import FAMILIES
from integrations.registry import KIND_RE
from tests.conftest import free_port
from tests.httpserver import RecordingServer, Reply

SECRET = "Contract-Secret-0xC0FFEE"
SECRET_NAMES = ("password", "api_key", "apikey", "token", "secret", "bearer_token", "header_value")


def _all_providers():
    from django.apps import apps  # noqa: F401  (registries fill when apps are ready)

    return [
        pytest.param(cls, id=f"{fam.name}:{cls.kind}")
        for fam in FAMILIES
        for cls in fam.registry.classes()
    ]


PROVIDERS = _all_providers()
# Remote services reached over the network (a custom script runs locally).
NETWORK = [p for p in PROVIDERS if p.values[0].kind != "customscript"]


TOKEN_30 = "Abc123" * 5  # shaped like a real key, so format validators accept it


def notifier_examples(port: int, secret: str) -> dict[str, dict]:
    """Valid settings per notification kind, pointed at 127.0.0.1:port, with ``secret``
    wherever the service's format allows it."""
    base = f"http://127.0.0.1:{port}"
    return {
        "discord": {"webhook_url": f"{base}/api/webhooks/1/{secret}"},
        "slack": {"webhook_url": f"{base}/services/T1/B1/{secret}"},
        "telegram": {"bot_token": "123456:" + ("A" * 35), "chat_id": "42", "api_url": base},
        "pushover": {"user_key": TOKEN_30, "app_token": TOKEN_30[::-1], "api_url": base},
        "email": {"server": "127.0.0.1", "port": port, "from_address": "idkarr@example.org",
                  "to": ["me@example.org"], "password": secret, "username": "u", "encryption": "none"},
        "gotify": {"server_url": base, "app_token": "A" + "b" * 14},
        "ntfy": {"server_url": base, "topic": "idkarr", "auth_type": "basic", "username": "u", "password": secret},
        "join": {"api_key": "abcdef0123456789abcdef", "device_ids": ["dev1"], "base_url": base},
        "apprise": {"mode": "api", "server_url": base, "config_key": "idkarr", "password": secret, "username": "u"},
        "webhook": {"url": f"{base}/hook", "auth_type": "basic", "username": "u", "password": secret},
    }  # fmt: skip


HEX_SECRET = "c0ffee" * 5 + "c0"  # a secret where the format must be 32 hex digits
# What kinds need beyond host/port/secrets to be valid.
KIND_EXAMPLES = {
    "tmdb": {"api_key": HEX_SECRET},
    "imdb": {"list_id": "ls012345678"},
    "trakt": {"list_type": "popular"},
}


def settings_for(cls, port: int):
    if cls.family == "notification":
        return cls.Settings.model_validate(notifier_examples(port, SECRET)[cls.kind])
    fields = cls.Settings.model_fields
    data = {}
    if "api_url" in fields:
        data["api_url"] = f"http://127.0.0.1:{port}"
    if "host" in fields:
        data["host"] = "127.0.0.1"
    if "port" in fields:
        data["port"] = port
    if "url" in fields:
        data["url"] = f"http://127.0.0.1:{port}/hook"
    if "base_url" in fields:
        data["base_url"] = f"http://127.0.0.1:{port}"
    for name in cls.Settings.secret_fields():
        data[name] = SECRET
    if "username" in fields:
        data["username"] = "user"
    if "transport" in fields:
        data["transport"] = "http"  # the transport that carries credentials
    if "timeout_seconds" in fields:
        data["timeout_seconds"] = 2
    data.update(KIND_EXAMPLES.get(cls.kind, {}))
    return cls.Settings.model_validate(data)


@pytest.mark.parametrize("cls", PROVIDERS)
def test_kind_is_a_lowercase_slug(cls):
    assert KIND_RE.match(cls.kind)


@pytest.mark.parametrize("cls", PROVIDERS)
def test_describe_renders_a_json_schema_with_write_only_secrets(cls):
    described = cls.describe()
    for name in described["secret_fields"]:
        assert described["settings_schema"]["properties"][name]["writeOnly"] is True


@pytest.mark.parametrize("cls", PROVIDERS)
def test_secret_looking_fields_are_secret_str(cls):
    for name, field in cls.Settings.model_fields.items():
        if name in SECRET_NAMES:
            assert SecretStr in (typing.get_args(field.annotation) or (field.annotation,)), name


@pytest.mark.parametrize("cls", PROVIDERS)
def test_every_setting_has_a_description_for_the_form(cls):
    missing = [name for name, f in cls.Settings.model_fields.items() if not f.description]
    assert missing == []


@pytest.mark.parametrize("cls", PROVIDERS)
def test_settings_reject_unknown_fields(cls):
    with pytest.raises(ValueError) as info:
        cls.Settings.model_validate({"no_such_setting": 1})
    assert "extra_forbidden" in {e["type"] for e in info.value.errors()}


@pytest.mark.parametrize("cls", PROVIDERS)
def test_download_client_capabilities_are_known(cls):
    if cls.family == "download_client":
        assert set(cls.capabilities) <= {c.value for c in Capability}


def _failed_test(cls, port):
    provider = cls(settings_for(cls, port))
    try:
        return provider.run_test()
    finally:
        provider.close()


@pytest.mark.parametrize("cls", NETWORK)
def test_a_closed_port_is_a_failed_test_that_names_the_service(cls):
    result = _failed_test(cls, free_port())
    assert result.ok is False
    assert cls.label.split()[0].lower() in result.message.lower()
    assert SECRET not in result.message and HEX_SECRET not in result.message


@pytest.mark.parametrize(
    "cls",
    [p for p in PROVIDERS if p.values[0].family in ("download_client", "indexer", "media_server")],
)
def test_an_html_page_is_a_failed_test_without_the_secret(cls):
    """(A webhook answering 2xx with any body has accepted the message, so only clients,
    indexers and media servers.)"""
    with RecordingServer(
        default_response=Reply(
            200, "<html><body>Login</body></html>", {"Content-Type": "text/html"}
        )
    ) as srv:
        result = _failed_test(cls, srv.port)
    assert result.ok is False
    assert SECRET not in result.message and SECRET not in str(result.details)


@pytest.mark.parametrize("cls", NETWORK)
def test_a_server_error_is_a_failed_test_without_the_secret(cls):
    with RecordingServer(default_response=Reply(500, "boom")) as srv:
        result = _failed_test(cls, srv.port)
    assert result.ok is False
    assert SECRET not in result.message and HEX_SECRET not in result.message
