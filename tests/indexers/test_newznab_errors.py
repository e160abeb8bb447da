"""Newznab/Torznab answers that are not results: error documents, hostile and broken
input, and the reset times rate-limit texts carry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    RateLimited,
    ServerError,
    UnsupportedError,
)
from integrations.indexers.newznab_xml import (
    retry_after_from_text,
)

from .feed_parsing import BASE, item, newznab, torznab
from .feeds import fixture, torznab_feed


# -- hostile and broken documents -----------------------------------------------------
def test_xxe_refused_without_reading_files():
    with pytest.raises(ProtocolError, match="DOCTYPE, which idkarr refuses") as err:
        torznab(fixture("xxe.xml"))
    assert "root:" not in str(err.value)


def test_billion_laughs_refused():
    with pytest.raises(ProtocolError, match="DOCTYPE"):
        torznab(fixture("billion_laughs.xml"))


def test_doctype_after_long_comment_refused():
    data = fixture("xxe.xml").replace(b"<!DOCTYPE", b"<!--" + b"x" * 70000 + b"-->\n<!DOCTYPE", 1)
    with pytest.raises(ProtocolError, match="DOCTYPE"):
        torznab(data)


def test_harmless_doctype_refused_too():
    with pytest.raises(ProtocolError, match="DOCTYPE"):
        torznab(fixture("doctype.xml"))


def test_truncated_xml_is_protocol_error_with_excerpt():
    with pytest.raises(ProtocolError, match="returned truncated XML") as err:
        torznab(fixture("truncated.xml"))
    assert "tracker-one.example/torrents/558240" in str(err.value)


def test_login_page_is_html_error():
    with pytest.raises(ProtocolError, match="returned an HTML page instead of a feed") as err:
        torznab(fixture("login.html"))
    assert "login page" in str(err.value)
    assert "SECRETKEY" not in str(err.value)


def test_cloudflare_page_named():
    with pytest.raises(ProtocolError, match="Cloudflare"):
        torznab(fixture("cloudflare.html"))


def test_json_is_not_xml():
    with pytest.raises(ProtocolError, match="did not return XML"):
        torznab(b'{"error": "nope"}')


def test_empty_body():
    with pytest.raises(ProtocolError, match="empty answer"):
        torznab(b"  \n")


def test_caps_document_is_not_a_feed():
    with pytest.raises(ProtocolError, match="capabilities document instead of a feed"):
        torznab(fixture("jackett_caps.xml"))


def test_other_xml_is_not_a_feed():
    with pytest.raises(ProtocolError, match=r"not an RSS feed \(root element <feed>\)"):
        torznab(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>')


def test_oversized_answer_refused(settings):
    settings.INDEXER_MAX_RESPONSE_BYTES = 1000
    with pytest.raises(ProtocolError, match="answered more than"):
        torznab(torznab_feed(5))


def test_fifty_megabyte_answer_refused_before_parsing():
    data = b"<rss><channel>" + b" " * (50 * 1024 * 1024) + b"</channel></rss>"
    with pytest.raises(ProtocolError, match="more than 10 MB"):
        torznab(data)


def test_undefined_entity_is_malformed():
    with pytest.raises(ProtocolError, match="malformed XML"):
        torznab(item(BASE.replace("GRP", "GRP&nbsp;")))


# -- error documents ------------------------------------------------------------------
def test_error_100_is_authentication():
    with pytest.raises(AuthenticationError, match="Incorrect user credentials") as err:
        torznab(fixture("error_100.xml"))
    assert err.value.permanent is True
    assert err.value.details["code"] == 100


def test_error_101_suspended_is_authentication():
    with pytest.raises(AuthenticationError, match="Account suspended"):
        torznab(b'<error code="101" description="Account suspended"/>')


def test_request_limit_is_rate_limited_with_default_hour():
    with pytest.raises(RateLimited) as err:
        newznab(fixture("error_request_limit.xml"))
    assert err.value.retry_after == 3600
    assert err.value.permanent is False


def test_request_limit_case_insensitive_any_code():
    with pytest.raises(RateLimited):
        torznab(b'<error code="900" description="REQUEST LIMIT REACHED"/>')


def test_request_limit_reset_time_from_text():
    with pytest.raises(RateLimited) as err:
        torznab(b'<error code="500" description="Request limit reached, try again in 35 minutes"/>')
    assert err.value.retry_after == 35 * 60


def test_request_limit_uses_retry_after_header_when_text_has_none():
    with pytest.raises(RateLimited) as err:
        torznab(fixture("error_prowlarr_query_limit.xml"), retry_after=120.0)
    assert err.value.retry_after == 120.0


def test_nzedb_daily_limit_text_is_rate_limited():
    with pytest.raises(RateLimited):
        newznab(
            b'<error code="500" description="You have reached your daily limit for API requests!"/>'
        )


def test_download_limit_is_rate_limited():
    with pytest.raises(RateLimited, match="download request limit"):
        newznab(fixture("error_download_limit.xml"))


def test_missing_apikey_param_is_authentication():
    with pytest.raises(AuthenticationError, match="requires an API key"):
        newznab(fixture("error_missing_apikey.xml"))


def test_missing_parameter_without_key_in_url_is_authentication():
    with pytest.raises(AuthenticationError, match="requires an API key"):
        newznab(
            b'<error code="200" description="Missing parameter"/>',
            url="http://127.0.0.1/api?t=search",
        )


def test_missing_parameter_with_key_is_generic():
    with pytest.raises(IntegrationError) as err:
        newznab(
            b'<error code="200" description="Missing parameter"/>',
            url="http://127.0.0.1/api?t=search&apikey=SECRETKEY",
        )
    assert type(err.value) is IntegrationError
    assert err.value.permanent is False
    assert "SECRETKEY" not in str(err.value)


def test_no_such_function_is_unsupported():
    with pytest.raises(UnsupportedError, match="No such function"):
        torznab(fixture("error_no_function.xml"))


def test_no_such_item_is_not_found():
    with pytest.raises(NotFoundError):
        torznab(b'<error code="300" description="No such item"/>')


def test_prowlarr_disabled_indexer_is_configuration():
    with pytest.raises(ConfigurationError, match="disabled"):
        torznab(b'<error code="410" description="Indexer is disabled"/>')


def test_code_500_without_limit_is_server_error():
    with pytest.raises(ServerError, match="Object reference not set"):
        torznab(b'<error code="500" description="Object reference not set to an instance"/>')


def test_unknown_error_is_transient():
    with pytest.raises(IntegrationError) as err:
        torznab(b'<error code="900" description="Unknown error"/>')
    assert err.value.permanent is False
    assert "Unknown error" in str(err.value)


def test_error_nested_in_rss_is_found():
    data = b'<rss><channel><error code="100" description="Incorrect user credentials"/></channel></rss>'
    with pytest.raises(AuthenticationError):
        torznab(data)


# -- reset-time text --------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, seconds",
    [
        ("try again in 35 minutes", 2100),
        ("Retry after 120 seconds", 120),
        ("limit resets in 2 hours", 7200),
        ("wait 1 hour", 3600),
        ("nothing useful here", None),
    ],
)
def test_retry_after_from_text(text, seconds):
    assert retry_after_from_text(text) == seconds


def test_retry_after_from_reset_date():
    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert retry_after_from_text("Limit resets at 2025-01-01T13:30:00Z", now=now) == 5400
