"""Pasting into the URL bar: real copies from Chrome 140 and Firefox (cURL bash and cmd,
"Copy as fetch"), a Chromium console CORS error line, and URLs without a scheme."""

from __future__ import annotations

import pytest

from corsinspector.app.paste import parse_paste, with_scheme

# Chrome 140, Network panel, "Copy as cURL (bash)" on a credentialed PUT.
CHROME_BASH = r"""curl 'https://api.example.com/items/7' \
  -X 'PUT' \
  -H 'accept: */*' \
  -H 'accept-language: en-US,en;q=0.9' \
  -H 'content-type: application/json' \
  -b 'session=abc123' \
  -H 'origin: https://app.example.com' \
  -H 'priority: u=1, i' \
  -H 'referer: https://app.example.com/' \
  -H 'sec-ch-ua: "Chromium";v="140", "Not=A?Brand";v="24", "Google Chrome";v="140"' \
  -H 'sec-ch-ua-mobile: ?0' \
  -H 'sec-ch-ua-platform: "Linux"' \
  -H 'sec-fetch-dest: empty' \
  -H 'sec-fetch-mode: cors' \
  -H 'sec-fetch-site: same-site' \
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36' \
  -H 'x-request-id: 42' \
  --data-raw '{"name":"x"}'"""  # noqa: E501 (as copied)

# Chrome 140, "Copy as cURL (cmd)": ^"…^" quoting, ^\^" for a quote, ^ before { }.
CHROME_CMD = (
    'curl ^"https://api.example.com/items/7^" ^\r\n'
    '  -X ^"PUT^" ^\r\n'
    '  -H ^"accept: */*^" ^\r\n'
    '  -H ^"content-type: application/json^" ^\r\n'
    '  -H ^"origin: https://app.example.com^" ^\r\n'
    '  -H ^"referer: https://app.example.com/^" ^\r\n'
    '  -H ^"sec-fetch-mode: cors^" ^\r\n'
    '  -H ^"x-request-id: 42^" ^\r\n'
    '  --data-raw ^"^{^\\^"name^\\^":^\\^"x^\\^"^}^"'
)

# Firefox 143, "Copy as cURL" (one line, as copied).
FIREFOX_CURL = (
    "curl 'https://api.example.com/items/7' -X PUT "
    "-H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:143.0) Gecko/20100101 Firefox/143.0' "
    "-H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' "
    "-H 'Accept-Encoding: gzip, deflate, br, zstd' -H 'Content-Type: application/json' "
    "-H 'X-Request-Id: 42' -H 'Origin: https://app.example.com' -H 'Connection: keep-alive' "
    "-H 'Referer: https://app.example.com/' -H 'Sec-Fetch-Dest: empty' "
    "-H 'Sec-Fetch-Mode: cors' -H 'Sec-Fetch-Site: same-site' -H 'Priority: u=0' "
    """--data-raw '{"name":"x"}'"""
)

# Chrome 140, "Copy as fetch".
CHROME_FETCH = r"""fetch("https://api.example.com/items/7", {
  "headers": {
    "accept": "*/*",
    "accept-language": "en-US,en;q=0.9",
    "content-type": "application/json",
    "priority": "u=1, i",
    "sec-ch-ua": "\"Chromium\";v=\"140\", \"Not=A?Brand\";v=\"24\", \"Google Chrome\";v=\"140\"",
    "sec-ch-ua-mobile": "?0",
    "sec-ch-ua-platform": "\"Linux\"",
    "sec-fetch-dest": "empty",
    "sec-fetch-mode": "cors",
    "sec-fetch-site": "same-site",
    "x-request-id": "42"
  },
  "referrer": "https://app.example.com/",
  "body": "{\"name\":\"x\"}",
  "method": "PUT",
  "mode": "cors",
  "credentials": "include"
});"""

# Firefox 143, "Copy as Fetch".
FIREFOX_FETCH = r"""await fetch("https://api.example.com/items/7", {
    "credentials": "include",
    "headers": {
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:143.0) Gecko/20100101 Firefox/143.0",
        "Accept": "*/*",
        "Accept-Language": "en-US,en;q=0.5",
        "Content-Type": "application/json",
        "X-Request-Id": "42",
        "Sec-Fetch-Dest": "empty",
        "Sec-Fetch-Mode": "cors",
        "Sec-Fetch-Site": "same-site",
        "Priority": "u=4"
    },
    "referrer": "https://app.example.com/",
    "body": "{\"name\":\"x\"}",
    "method": "PUT",
    "mode": "cors"
});"""

# Chromium 140's console, as printed for a disallowed request header.
CONSOLE = (
    "Access to fetch at 'https://api.example.com/items/7' from origin "
    "'https://app.example.com' has been blocked by CORS policy: Request header field "
    "x-request-id is not allowed by Access-Control-Allow-Headers in preflight response."
)


def _names(fields: dict[str, object]) -> list[str]:
    headers = fields["headers"]
    assert isinstance(headers, list)
    return [name.lower() for name, _value in headers]


@pytest.mark.parametrize("text", [CHROME_BASH, CHROME_CMD, FIREFOX_CURL])
def test_a_browser_curl_copy_fills_the_request_without_the_browsers_own_headers(
    text: str,
) -> None:
    pasted = parse_paste(text)
    assert pasted is not None
    fields = pasted.fields
    assert fields["url"] == "https://api.example.com/items/7"
    assert fields["method"] == "PUT"
    assert fields["origin"] == "https://app.example.com"
    assert fields["body"] == '{"name":"x"}'
    names = _names(fields)
    assert "x-request-id" in names
    assert "content-type" in names
    for dropped in ("origin", "referer", "sec-fetch-mode", "user-agent", "priority", "cookie"):
        assert dropped not in names
    assert pasted.summary().startswith("Filled from a cURL command: URL, method PUT,")
    assert "Origin https://app.example.com" in pasted.summary()


def test_chromes_cookie_flag_asks_for_credentials() -> None:
    pasted = parse_paste(CHROME_BASH)
    assert pasted is not None
    assert pasted.fields["credentials"] == "include"


@pytest.mark.parametrize("text", [CHROME_FETCH, FIREFOX_FETCH])
def test_copy_as_fetch_fills_method_headers_body_credentials_and_the_referrers_origin(
    text: str,
) -> None:
    pasted = parse_paste(text)
    assert pasted is not None
    fields = pasted.fields
    assert pasted.source == "a fetch snippet"
    assert fields["url"] == "https://api.example.com/items/7"
    assert fields["method"] == "PUT"
    assert fields["credentials"] == "include"
    assert fields["mode"] == "cors"
    assert fields["origin"] == "https://app.example.com"
    assert fields["body"] == '{"name":"x"}'
    assert sorted(_names(fields)) == ["accept", "accept-language", "content-type", "x-request-id"]
    assert pasted.summary() == (
        "Filled from a fetch snippet: URL, method PUT, 4 headers, body, credentials include, "
        "mode cors, Origin https://app.example.com"
    )


def test_a_console_error_line_fills_the_url_and_the_origin_it_names() -> None:
    pasted = parse_paste(CONSOLE)
    assert pasted is not None
    assert pasted.fields == {
        "url": "https://api.example.com/items/7",
        "origin": "https://app.example.com",
    }
    assert pasted.summary() == ("Filled from a console error: URL, Origin https://app.example.com")


def test_a_console_line_with_a_method_credentials_and_a_redirect() -> None:
    line = (
        "Access to fetch at 'https://api.example.com/items/' (redirected from "
        "'https://api.example.com/items') from origin 'http://localhost:3000' has been "
        "blocked by CORS policy: Method DELETE is not allowed by Access-Control-Allow-Methods "
        "in preflight response. The value of the 'Access-Control-Allow-Origin' header in the "
        "response must not be the wildcard '*' when the request's credentials mode is "
        "'include'."
    )
    pasted = parse_paste("index.html:12 " + line)
    assert pasted is not None
    assert pasted.fields == {
        "url": "https://api.example.com/items",
        "origin": "http://localhost:3000",
        "method": "DELETE",
        "credentials": "include",
    }


@pytest.mark.parametrize(
    ("typed", "url"),
    [
        ("localhost:3000/api", "http://localhost:3000/api"),
        ("127.0.0.1:8080/x?y=1", "http://127.0.0.1:8080/x?y=1"),
        ("[::1]:8000/", "http://[::1]:8000/"),
        ("app.localhost/items", "http://app.localhost/items"),
        ("api.example.com/items", "https://api.example.com/items"),
        ("10.0.0.5:9000", "https://10.0.0.5:9000"),
    ],
)
def test_a_url_without_a_scheme_gets_http_on_loopback_and_https_elsewhere(
    typed: str, url: str
) -> None:
    assert with_scheme(typed) == url
    pasted = parse_paste(typed)
    assert pasted is not None
    assert pasted.fields == {"url": url}


@pytest.mark.parametrize(
    "text", ["", "hello", "https://api.example.com/items", "curl", "fetch(oops)", "x y"]
)
def test_plain_text_and_full_urls_paste_as_they_are(text: str) -> None:
    assert parse_paste(text) is None
    assert with_scheme("https://a.example/x") == "https://a.example/x"
