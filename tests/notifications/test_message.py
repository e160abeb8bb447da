from __future__ import annotations

import pytest

from notifications.base import EVENT_TYPES
from notifications.message import escape_markdown, render, truncate
from notifications.samples import sample_message


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_renders_a_title_colour_and_emoji(event_type):
    rendered = render(sample_message(event_type))
    assert rendered.title and rendered.emoji and rendered.colour > 0


def test_grab_fields_carry_quality_indexer_and_size():
    names = [name for name, _ in render(sample_message("grab")).fields]
    assert {"Quality", "Indexer", "Size"} <= set(names)


def test_html_escapes_titles():
    message = sample_message("grab")
    message.payload["series"]["title"] = "Tom & <Jerry>"
    assert "Tom &amp; &lt;Jerry&gt;" in render(message).html()


def test_markdown_escapes_special_characters():
    assert escape_markdown("a*b_c[d]") == r"a\*b\_c\[d\]"


def test_truncate_marks_the_cut():
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"


def test_health_issue_links_to_its_wiki_url():
    message = sample_message("health_issue")
    message.payload["wikiUrl"] = "https://wiki.example/health"
    assert render(message).link == "https://wiki.example/health"


def test_an_unknown_event_type_is_a_permanent_error():
    from integrations.errors import IntegrationError

    message = sample_message("grab")
    message.event_type = "explosion"
    with pytest.raises(IntegrationError) as info:
        render(message)
    assert info.value.permanent is True


def test_unsaid_fields_leave_out_what_the_text_already_says():
    rendered = render(sample_message("grab"))
    rendered.text += "\nIndexer: " + dict(rendered.fields)["Indexer"]
    assert "Indexer" not in dict(rendered.unsaid_fields())


def test_markdown_line_autolinks_a_bare_url_and_escapes_the_rest():
    from notifications.message import markdown_line

    assert markdown_line("https://example.org/x") == "<https://example.org/x>"
    assert markdown_line("a*b") == r"a\*b"
