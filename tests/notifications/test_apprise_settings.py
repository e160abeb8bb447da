"""Apprise notifier: settings validation and description."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from notifications.providers.apprise import Apprise, AppriseSettings
from tests.notifications.apprise_support import (
    URL_PASSWORD,
    URL_TOKEN,
    api,
    library,
)


# -- settings ------------------------------------------------------------------------
def errors_of(**settings) -> str:
    with pytest.raises(ValidationError) as caught:
        AppriseSettings(**settings)
    return repr(caught.value.errors(include_input=False))


def test_library_bad_url_is_rejected_with_its_line_number():
    text = errors_of(mode="library", urls=f"json://127.0.0.1/x\n\ndiscord://{URL_TOKEN}")
    assert "line 3: not a valid 'discord://' URL" in text
    assert URL_TOKEN not in text


def test_library_unknown_scheme_is_rejected_with_its_line_number():
    text = errors_of(mode="library", urls=f"nosuch://u:{URL_PASSWORD}@h/x")
    assert "line 1: Apprise has no service 'nosuch://'" in text
    assert URL_PASSWORD not in text


def test_a_line_that_is_not_a_url_is_rejected():
    assert "line 1: not a URL" in errors_of(mode="library", urls="just words")


def test_library_needs_at_least_one_url():
    assert "library mode needs at least one Apprise URL" in errors_of(
        mode="library", urls="# only a comment\n"
    )


def test_too_many_urls_are_rejected():
    urls = "\n".join(f"json://127.0.0.1/{i}" for i in range(51))
    assert "at most 50 URLs" in errors_of(mode="library", urls=urls)


def test_api_needs_a_server_url():
    assert "api mode needs the server_url" in errors_of(mode="api", config_key="k")


def test_api_needs_a_key_or_urls():
    assert "needs a config_key or at least one URL" in errors_of(server_url="http://h:8000")


def test_api_key_and_urls_are_exclusive():
    text = errors_of(server_url="http://h", config_key="k", urls="json://a/b")
    assert "either config_key (stateful) or urls (stateless)" in text


def test_tags_need_a_config_key():
    text = errors_of(server_url="http://h", urls="json://a/b", tags="tv")
    assert "tags filter a stored configuration" in text


@pytest.mark.parametrize("key", ["has space", "a/b", "x" * 129, "ünï"])
def test_config_key_format_is_checked(key):
    assert "a config key has 1-128" in errors_of(server_url="http://h", config_key=key)


@pytest.mark.parametrize(
    "url", ["ftp://h", "h:8000", "http://", "http://h:99999", "http://u:p@h", "http://h/?k=v"]
)
def test_server_url_must_be_a_plain_http_url(url):
    text = errors_of(server_url=url, config_key="k")
    assert "server_url" in text


def test_api_stateless_urls_only_need_a_scheme():
    settings = AppriseSettings(server_url="http://h", urls="customplugin://x/y")
    assert settings.urls is not None


def test_username_with_colon_is_rejected():
    assert "must not contain ':'" in errors_of(
        server_url="http://h", config_key="k", username="a:b"
    )


def test_unknown_field_is_rejected():
    assert "extra_forbidden" in errors_of(server_url="http://h", config_key="k", apikey="x")


def test_secret_fields_are_urls_and_password():
    assert AppriseSettings.secret_fields() == ["urls", "password"]


def test_every_setting_has_a_description():
    properties = AppriseSettings.model_json_schema()["properties"]
    assert all(prop.get("description") for prop in properties.values())


def test_event_flags_come_from_the_base():
    settings = AppriseSettings(server_url="http://h", config_key="k")
    assert settings.on_grab is True and settings.on_rename is False


def test_health_url_is_the_server_in_api_mode_only():
    assert api("http://h:8000").health_url() == "http://h:8000"
    assert library("json://127.0.0.1/x").health_url() is None


def test_describe_names_the_kind():
    described = Apprise.describe()
    assert (described["kind"], described["label"]) == ("apprise", "Apprise")
