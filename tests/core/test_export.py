"""cURL export: a command a bash user can paste, with the headers as sent."""

from __future__ import annotations

import shlex

from corsinspector.export import curl_command
from corsinspector.model import SentRequest


def test_a_preflight_becomes_a_curl_options_command() -> None:
    request = SentRequest(
        "OPTIONS",
        "https://api.example.test/items?a=1&b=2",
        (
            ("Host", "api.example.test"),
            ("Access-Control-Request-Method", "PUT"),
            ("Origin", "https://app.example.test"),
        ),
    )
    command = curl_command(request)
    assert shlex.split(command) == [
        "curl",
        "-X",
        "OPTIONS",
        "https://api.example.test/items?a=1&b=2",
        "-H",
        "Access-Control-Request-Method: PUT",
        "-H",
        "Origin: https://app.example.test",
    ]


def test_a_body_and_awkward_quotes_survive_the_shell() -> None:
    request = SentRequest("POST", "https://a.test/", (("X-Q", 'it\'s "quoted"'),), '{"a": 1}')
    assert shlex.split(curl_command(request)) == [
        "curl",
        "https://a.test/",
        "-H",
        'X-Q: it\'s "quoted"',
        "--data-raw",
        '{"a": 1}',
    ]
