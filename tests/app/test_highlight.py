"""Syntax spans of fix snippets (corsinspector.app.highlight), without Qt."""

from __future__ import annotations

from corsinspector.app.highlight import KINDS, line_spans, spans


def _named(stack: str, line: str) -> list[tuple[str, str]]:
    return [(line[start : start + length], kind) for start, length, kind in spans(stack, line)]


def test_nginx_line_names_header_string_and_keywords() -> None:
    line = '        add_header Access-Control-Max-Age "600" always;'
    assert _named("nginx", line) == [
        ("add_header", "keyword"),
        ("Access-Control-Max-Age", "header"),
        ('"600"', "string"),
        ("always", "keyword"),
    ]


def test_option_names_numbers_and_comments() -> None:
    assert _named("django", "CORS_PREFLIGHT_MAX_AGE = 600  # seconds") == [
        ("CORS_PREFLIGHT_MAX_AGE", "header"),
        ("600", "number"),
        ("# seconds", "comment"),
    ]
    assert _named("express", '  origin: "https://app.example.test", // exact') == [
        ("origin", "header"),
        ('"https://app.example.test"', "string"),
        ("// exact", "comment"),
    ]


def test_a_string_holding_a_comment_mark_stays_a_string() -> None:
    assert _named("express", 'fetch("https://x.test/#a")') == [('"https://x.test/#a"', "string")]
    assert _named("nginx", 'add_header X "a#b";')[-1] == ('"a#b"', "string")


def test_the_generic_fix_highlights_its_header_lines() -> None:
    assert _named("generic", "  Access-Control-Allow-Origin: https://app.example.test") == [
        ("Access-Control-Allow-Origin", "header")
    ]
    assert _named("generic", "On the preflight, answer 204 with:") == []


def test_the_lines_after_pitfalls_are_pitfall_notes_until_the_comments_end() -> None:
    lines = ["}", "# Pitfalls:", "# add_header needs 'always'", "# never echo", "location {"]
    state = False
    kinds = []
    for line in lines:
        found, state = line_spans("nginx", line, state)
        kinds.append({kind for _, _, kind in found})
    assert kinds == [set(), {"pitfall"}, {"pitfall"}, {"pitfall"}, {"keyword"}]
    assert set().union(*kinds) <= set(KINDS)


def test_the_cause_a_fix_names_first_is_a_note_not_a_plain_comment() -> None:
    first = "# First: Let OPTIONS through before authentication: the preflight was answered 401"
    assert line_spans("nginx", first, False) == ([(0, len(first), "pitfall")], True)
    # its wrapped lines too, until the snippet's code starts
    assert line_spans("nginx", "#   because authentication ran first", True)[0][0][2] == "pitfall"
    assert line_spans("nginx", "location /items {", True)[1] is False
    assert line_spans("express", "// First: the error path", False)[0][0][2] == "pitfall"
    assert {kind for _, _, kind in line_spans("nginx", "# an ordinary comment", False)[0]} == {
        "comment"
    }
