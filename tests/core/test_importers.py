"""Importing cURL commands, HAR 1.2 captures and Postman v2.1 collections."""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corsinspector.errors import InputError
from corsinspector.formats.collection import Folder, Item
from corsinspector.formats.curl import import_curl
from corsinspector.formats.detect import detect_format, import_file
from corsinspector.formats.har import import_har
from corsinspector.formats.postman import import_postman

# Chrome "Copy as cURL (bash)": $'…' because the body holds a single quote and a newline.
CHROME_BASH = r"""curl 'https://api.example.test/items/1' \
  -X 'PUT' \
  -H 'accept: */*' \
  -H 'accept-language: en-GB,en;q=0.9' \
  -b 'sid=abc123; theme=dark' \
  -H 'content-type: application/json' \
  -H 'origin: https://app.example.test' \
  -H 'priority: u=1, i' \
  -H 'referer: https://app.example.test/' \
  -H 'sec-ch-ua: "Chromium";v="130"' \
  -H 'sec-fetch-mode: cors' \
  -H 'sec-fetch-site: same-site' \
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0.0.0' \
  -H 'x-trace: 1' \
  --data-raw $'{"note":"it\'s\\nfine","tab":"\x41\t"}' ;
curl 'https://api.example.test/search?q=a\[1\]' \
  -H 'x-empty;' \
  -H 'referer: https://app.example.test/page'"""

FIREFOX = (
    "curl 'https://api.example.test/upload' -X POST "
    "-H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' "
    "-H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' "
    "-H 'Accept-Encoding: gzip, deflate, br, zstd' -H 'Content-Type: text/plain' "
    "-H 'Origin: https://app.example.test' -H 'Connection: keep-alive' "
    "-H 'Referer: https://app.example.test/' -H 'Sec-Fetch-Dest: empty' "
    "-H 'Sec-Fetch-Mode: cors' -H 'Sec-Fetch-Site: same-site' -H 'Priority: u=0' "
    "--data-raw 'hello world'"
)

# Chrome "Copy as cURL (cmd)": ^"…^" quoting, ^ before risky characters, ^\^" for a quote.
CHROME_CMD = (
    'curl ^"https://api.example.test/items?a=1^&b=2^" ^\r\n'
    '  -H ^"content-type: application/json^" ^\r\n'
    '  -H ^"origin: https://app.example.test^" ^\r\n'
    '  -H ^"x-percent: 100%^25^" ^\r\n'
    '  --data-raw ^"^{^\\^"a^\\^":^\\^"x y^\\^"^}^" &\r\n'
    'curl ^"https://api.example.test/ping^" -H ^"authorization: Bearer t^"'
)

HAR = json.dumps(
    {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "entries": [
                {
                    "request": {
                        "method": "OPTIONS",
                        "url": "https://api.example.test/items/1",
                        "headers": [
                            {"name": ":authority", "value": "api.example.test"},
                            {"name": "origin", "value": "https://app.example.test"},
                            {"name": "access-control-request-method", "value": "PUT"},
                            {"name": "access-control-request-headers", "value": "content-type"},
                        ],
                    },
                    "response": {
                        "status": 204,
                        "headers": [
                            {
                                "name": "access-control-allow-origin",
                                "value": "https://app.example.test",
                            },
                            {"name": "access-control-allow-methods", "value": "PUT"},
                            {"name": "date", "value": "Mon, 01 Jan 2024 00:00:00 GMT"},
                        ],
                    },
                },
                {
                    "_resourceType": "fetch",
                    "request": {
                        "method": "PUT",
                        "url": "https://api.example.test/items/1",
                        "headers": [
                            {"name": ":method", "value": "PUT"},
                            {"name": "content-type", "value": "application/json"},
                            {"name": "origin", "value": "https://app.example.test"},
                            {"name": "referer", "value": "https://app.example.test/"},
                            {"name": "user-agent", "value": "Mozilla/5.0"},
                            {"name": "sec-fetch-mode", "value": "cors"},
                            {"name": "content-length", "value": "7"},
                            {"name": "cookie", "value": "sid=1"},
                        ],
                        "postData": {"mimeType": "application/json", "text": '{"a":1}'},
                    },
                    "response": {
                        "status": 200,
                        "headers": [
                            {
                                "name": "access-control-allow-origin",
                                "value": "https://app.example.test",
                            }
                        ],
                    },
                },
                {
                    "request": {
                        "method": "GET",
                        "url": "https://app.example.test/app.js",
                        "headers": [{"name": "accept", "value": "*/*"}],
                    },
                    "response": {"status": 200, "headers": []},
                },
                {
                    "request": {
                        "method": "POST",
                        "url": "https://app.example.test:443/log",
                        "headers": [{"name": "Origin", "value": "https://app.example.test"}],
                    },
                    "response": {"status": 204, "headers": []},
                },
                {
                    "request": {
                        "method": "GET",
                        "url": "https://api.example.test/public",
                        "headers": [
                            {"name": "Origin", "value": "https://app.example.test"},
                            {"name": "Accept", "value": "application/json"},
                        ],
                    },
                    "response": {"status": 0, "headers": []},
                },
            ],
        }
    }
)

POSTMAN = json.dumps(
    {
        "info": {
            "_postman_id": "1",
            "name": "Shop API",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "variable": [
            {"key": "base", "value": "https://api.example.test"},
            {"key": "app", "value": "https://app.example.test"},
        ],
        "item": [
            {"name": "health", "request": "{{base}}/health"},
            {
                "name": "Items",
                "item": [
                    {
                        "name": "create item",
                        "request": {
                            "method": "POST",
                            "url": {"raw": "{{base}}/items", "host": ["{{base}}"]},
                            "header": [
                                {"key": "Origin", "value": "{{app}}"},
                                {"key": "X-Debug", "value": "1", "disabled": True},
                                {"key": "Authorization", "value": "Bearer {{token}}"},
                            ],
                            "body": {
                                "mode": "raw",
                                "raw": '{"name": "{{name}}"}',
                                "options": {"raw": {"language": "json"}},
                            },
                        },
                    },
                    {
                        "name": "Admin",
                        "variable": [{"key": "base", "value": "https://admin.example.test"}],
                        "item": [
                            {
                                "name": "delete item",
                                "request": {
                                    "method": "DELETE",
                                    "url": {
                                        "protocol": "https",
                                        "host": ["admin", "example", "test"],
                                        "path": ["items", "1"],
                                    },
                                    "header": [],
                                },
                            }
                        ],
                    },
                ],
            },
        ],
    }
)


# --- cURL -------------------------------------------------------------------------------


def test_chrome_bash_copy() -> None:
    put, search = import_curl(CHROME_BASH, "c.sh")
    assert put == Item(
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
    )
    assert search == Item(
        "GET /search",
        {
            "url": "https://api.example.test/search?q=a[1]",
            "method": "GET",
            "origin": "https://app.example.test",
            "headers": [["x-empty", ""]],
            "credentials": "same-origin",
            "mode": "cors",
        },
    )


def test_firefox_copy() -> None:
    (item,) = import_curl(FIREFOX)
    assert item == Item(
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
    )


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


# --- HAR --------------------------------------------------------------------------------


def test_har_keeps_cross_origin_requests_and_folds_preflights() -> None:
    put, public = import_har(HAR, "x.har")
    assert put == Item(
        "PUT /items/1",
        {
            "url": "https://api.example.test/items/1",
            "method": "PUT",
            "origin": "https://app.example.test",
            "headers": [["content-type", "application/json"]],
            "credentials": "include",
            "mode": "cors",
            "body": '{"a":1}',
        },
        notes=(
            "recorded preflight: 204; access-control-allow-origin: https://app.example.test; "
            "access-control-allow-methods: PUT; "
            "recorded response: 200; access-control-allow-origin: https://app.example.test; "
            "cookies were sent (credentials: include)"
        ),
    )
    assert public == Item(
        "GET /public",
        {
            "url": "https://api.example.test/public",
            "method": "GET",
            "origin": "https://app.example.test",
            "headers": [["Accept", "application/json"]],
            "credentials": "same-origin",
            "mode": "cors",
        },
        notes="recorded response: 0 (blocked or failed)",
    )


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({}, "x.har: log: is missing"),
        ({"log": {"entries": {}}}, "x.har: log.entries: must be a list"),
        ({"log": {"entries": [{"request": {"method": "GET"}}]}}, "x.har: log.entries[0]"),
        (
            {"log": {"entries": [1, {"request": {"method": "GET"}}]}},
            "x.har: log.entries[0]: must be an object",
        ),
        (
            {"log": {"entries": [{"request": {"method": "GET", "url": 5}}]}},
            "x.har: log.entries[0].request.url: must be a string",
        ),
    ],
)
def test_har_errors(data: object, where: str) -> None:
    with pytest.raises(InputError) as info:
        import_har(json.dumps(data), "x.har")
    assert str(info.value).startswith(where)


def test_har_missing_url_is_named() -> None:
    with pytest.raises(InputError, match=r"^x\.har: log\.entries\[0\]\.request\.url: is missing$"):
        import_har('{"log": {"entries": [{"request": {"method": "GET"}}]}}', "x.har")


# --- Postman ----------------------------------------------------------------------------


def test_postman_folders_variables_and_bodies() -> None:
    top, items, admin = import_postman(POSTMAN, "shop.json")
    assert top == Folder(
        "Shop API",
        (
            Item(
                "health",
                {
                    "url": "https://api.example.test/health",
                    "method": "GET",
                    "origin": "{{origin}}",
                    "headers": [],
                    "credentials": "same-origin",
                    "mode": "cors",
                },
            ),
        ),
    )
    assert items == Folder(
        "Items",
        (
            Item(
                "create item",
                {
                    "url": "https://api.example.test/items",
                    "method": "POST",
                    "origin": "https://app.example.test",
                    "headers": [
                        ["Authorization", "Bearer {{token}}"],
                        ["Content-Type", "application/json"],
                    ],
                    "credentials": "same-origin",
                    "mode": "cors",
                    "body": '{"name": "{{name}}"}',
                },
            ),
        ),
    )
    assert admin.name == "Items/Admin"
    assert [item.request["url"] for item in admin.items] == ["https://admin.example.test/items/1"]
    assert admin.items[0].request["method"] == "DELETE"


def test_postman_errors() -> None:
    with pytest.raises(InputError, match=r"^p\.json: info: is missing$"):
        import_postman('{"item": []}', "p.json")
    with pytest.raises(InputError, match=r"^p\.json: info\.schema: must be Postman v2\.1"):
        import_postman('{"info": {"schema": "x"}, "item": []}', "p.json")
    bad = json.loads(POSTMAN)
    bad["item"][1]["item"][0]["request"]["header"][0]["key"] = "Bad Name"
    with pytest.raises(InputError, match=r"item\[1\]\.item\[0\]\.request\.header\[0\]"):
        import_postman(json.dumps(bad), "p.json")


# --- detection and files ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (CHROME_BASH, "curl"),
        (FIREFOX, "curl"),
        (CHROME_CMD, "curl"),
        (HAR, "har"),
        ("\ufeff" + HAR, "har"),
        (POSTMAN, "postman"),
        ('{"format": "cors-scenario/1", "request": {}}', "scenario"),
        ('{"format": "cors-collection/1", "folders": []}', "collection"),
    ],
)
def test_detect_format(text: str, kind: str) -> None:
    assert detect_format(text) == kind


@pytest.mark.parametrize("text", ["", "hello", "{", '{"a": 1}', "[]"])
def test_detect_format_unknown(text: str) -> None:
    with pytest.raises(InputError):
        detect_format(text)


def test_import_file(tmp_path: Path) -> None:
    (tmp_path / "capture.har").write_text(HAR, encoding="utf-8")
    (tmp_path / "paste.sh").write_text(CHROME_BASH, encoding="utf-8")
    (tmp_path / "shop.json").write_text(POSTMAN, encoding="utf-8")
    (har,) = import_file(tmp_path / "capture.har")
    assert har.name == "capture"
    assert [item.name for item in har.items] == ["PUT /items/1", "GET /public"]
    (curl,) = import_file(tmp_path / "paste.sh")
    assert [item.name for item in curl.items] == ["PUT /items/1", "GET /search"]
    assert [folder.name for folder in import_file(tmp_path / "shop.json")] == [
        "Shop API",
        "Items",
        "Items/Admin",
    ]
    (tmp_path / "x.txt").write_text("nothing", encoding="utf-8")
    with pytest.raises(InputError, match=r"x\.txt: "):
        import_file(tmp_path / "x.txt")
    with pytest.raises(InputError, match="no such file"):
        import_file(tmp_path / "missing.har")


def test_import_file_scenario(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "format": "cors-scenario/1",
                "name": "one",
                "request": {"url": "https://api.example.test/", "method": "GET"},
            }
        ),
        encoding="utf-8",
    )
    (folder,) = import_file(path)
    assert folder.name == "s"
    assert folder.items[0].name == "one"
    assert folder.items[0].request["url"] == "https://api.example.test/"


# --- properties -------------------------------------------------------------------------

EXAMPLES = [
    (import_curl, CHROME_BASH),
    (import_curl, FIREFOX),
    (import_curl, CHROME_CMD),
    (import_har, HAR),
    (import_postman, POSTMAN),
]
IMPORTERS = [import_curl, import_har, import_postman]
Importer = Callable[[str, str], object]


def _imports_or_names_source(importer: Importer, text: str) -> None:
    """The importer either imports ``text`` or raises an InputError naming the source."""
    error: InputError | None = None
    try:
        importer(text, "t")
    except InputError as exc:
        error = exc
    assert error is None or str(error).startswith("t")


@pytest.mark.parametrize(("importer", "text"), EXAMPLES)
@given(cut=st.integers(min_value=0, max_value=10_000))
@settings(max_examples=150, deadline=None)
def test_truncations_import_or_raise_input_error(importer: Importer, text: str, cut: int) -> None:
    _imports_or_names_source(importer, text[: cut % (len(text) + 1)])


@pytest.mark.parametrize(("importer", "text"), EXAMPLES)
@given(data=st.data())
@settings(max_examples=150, deadline=None)
def test_mutations_import_or_raise_input_error(
    importer: Importer, text: str, data: st.DataObject
) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    width = data.draw(st.integers(min_value=0, max_value=8))
    insert = data.draw(st.text(alphabet="'\"\\$^&;\n\r :{}[],x0-", max_size=6))
    _imports_or_names_source(importer, text[:at] + insert + text[at + width :])


@pytest.mark.parametrize("importer", IMPORTERS)
@given(text=st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_random_text_imports_or_raises_input_error(importer: Importer, text: str) -> None:
    _imports_or_names_source(importer, text)
    with contextlib.suppress(InputError):
        detect_format(text)


_KEYS = (
    *("log", "entries", "request", "response", "method", "url", "headers", "name", "value"),
    *("info", "schema", "item", "header", "key", "body", "mode", "raw", "postData", "text"),
    *("status", "variable", "disabled", "auth", "type", "options", "urlencoded", "cookies"),
)


def _json_values() -> st.SearchStrategy[object]:
    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=10)
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(list(_KEYS)),
                inner,
                max_size=4,
            )
        ),
        max_leaves=20,
    )


@pytest.mark.parametrize("importer", [import_har, import_postman])
@given(value=_json_values())
@settings(max_examples=300, deadline=None)
def test_random_json_imports_or_raises_input_error(importer: Importer, value: object) -> None:
    for text in (json.dumps(value), json.dumps({"log": {"entries": [value]}})):
        _imports_or_names_source(importer, text)
