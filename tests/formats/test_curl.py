"""cURL commands in (Chrome bash and cmd, Firefox, hand-written) and out."""

from __future__ import annotations

import base64
import shlex

import pytest

from corsinspector.errors import InputError
from corsinspector.formats.collection import Item
from corsinspector.formats.curl import curl_command, import_curl
from corsinspector.model import SentRequest
from tests.formats.samples import CHROME_BASH, CHROME_CMD, FIREFOX


@pytest.mark.parametrize(
    ("text", "items"),
    [
        pytest.param(
            CHROME_BASH,
            [
                Item(
                    "PUT /items/1",
                    {
                        "url": "https://api.example.test/items/1",
                        "method": "PUT",
                        "origin": "https://app.example.test",
                        "headers": [
                            ["accept", "*/*"],
                            ["accept-language", "en-GB,en;q=0.9"],
                            ["content-type", "application/json"],
                            ["x-trace", "1"],
                        ],
                        "credentials": "include",
                        "mode": "cors",
                        "body": '{"note":"it\'s\\nfine","tab":"A\t"}',
                    },
                    notes="cookies were sent (credentials: include)",
                ),
                Item(
                    "GET /search",
                    {
                        "url": "https://api.example.test/search?q=a[1]",
                        "method": "GET",
                        "origin": "https://app.example.test",
                        "headers": [["x-empty", ""]],
                        "credentials": "same-origin",
                        "mode": "cors",
                    },
                ),
            ],
            id="chrome bash",
        ),
        pytest.param(
            FIREFOX,
            [
                Item(
                    "POST /upload",
                    {
                        "url": "https://api.example.test/upload",
                        "method": "POST",
                        "origin": "https://app.example.test",
                        "headers": [
                            ["Accept", "*/*"],
                            ["Accept-Language", "en-US,en;q=0.5"],
                            ["Content-Type", "text/plain"],
                        ],
                        "credentials": "same-origin",
                        "mode": "cors",
                        "body": "hello world",
                    },
                ),
            ],
            id="firefox",
        ),
    ],
)
def test_a_browser_copy_imports_as_sent(text: str, items: list[Item]) -> None:
    assert import_curl(text, "c.sh") == items


def test_chrome_cmd_copy() -> None:
    post, ping = import_curl(CHROME_CMD)
    assert post == Item(
        "POST /items",
        {
            "url": "https://api.example.test/items?a=1&b=2",
            "method": "POST",
            "origin": "https://app.example.test",
            "headers": [["content-type", "application/json"], ["x-percent", "100%25"]],
            "credentials": "same-origin",
            "mode": "cors",
            "body": '{"a":"x y"}',
        },
    )
    assert ping.request["headers"] == [["authorization", "Bearer t"]]
    assert ping.request["origin"] == "{{origin}}"


def test_hand_written_curl() -> None:
    (item,) = import_curl(
        "curl -sSL -u alice:secret -A 'probe/1' -d a=1 --data-urlencode 'b=x y' "
        "-XPATCH --url api.example.test/x -e https://app.example.test/p -k --compressed"
    )
    token = base64.b64encode(b"alice:secret").decode()
    assert item.name == "PATCH /x"
    assert item.request == {
        "url": "http://api.example.test/x",
        "method": "PATCH",
        "origin": "https://app.example.test",
        "headers": [["Authorization", f"Basic {token}"], ["User-Agent", "probe/1"]],
        "credentials": "same-origin",
        "mode": "cors",
        "body": "a=1&b=x y",
    }


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("curl", "<curl>: command 1: no URL"),
        ("wget https://x.test", "<curl>: command 1: expected a curl command"),
        ("curl https://x.test -H 'bad name: 1'", "<curl>: command 1: -H 'bad name: 1'"),
        ("curl 'https://x.test", "<curl>:1: a '…' string is not closed"),
        ("curl https://x.test | sh", "<curl>:1: shell operator '|'"),
        ("curl https://x.test -X", "<curl>: command 1: option -X needs a value"),
        ("curl $'https://x.test\\n' -H $'a: b\\nc'", "<curl>: command 1: -H"),
    ],
)
def test_curl_errors(text: str, where: str) -> None:
    with pytest.raises(InputError) as info:
        import_curl(text)
    assert str(info.value).startswith(where)


# --- out --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "argv"),
    [
        pytest.param(
            SentRequest(
                "OPTIONS",
                "https://api.example.test/items?a=1&b=2",
                (
                    ("Host", "api.example.test"),
                    ("Access-Control-Request-Method", "PUT"),
                    ("Origin", "https://app.example.test"),
                ),
            ),
            [
                "curl",
                "-X",
                "OPTIONS",
                "https://api.example.test/items?a=1&b=2",
                "-H",
                "Access-Control-Request-Method: PUT",
                "-H",
                "Origin: https://app.example.test",
            ],
            id="a preflight becomes a curl OPTIONS command",
        ),
        pytest.param(
            SentRequest("POST", "https://a.test/", (("X-Q", 'it\'s "quoted"'),), '{"a": 1}'),
            ["curl", "https://a.test/", "-H", 'X-Q: it\'s "quoted"', "--data-raw", '{"a": 1}'],
            id="a body and awkward quotes survive the shell",
        ),
    ],
)
def test_curl_command_is_the_request_a_bash_user_can_paste(
    request_: SentRequest, argv: list[str]
) -> None:
    assert shlex.split(curl_command(request_)) == argv
