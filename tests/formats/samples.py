"""What other tools give us to import: cURL copies (Chrome bash and cmd, Firefox), a HAR
capture, a Postman collection; shared by the format tests and the import command's."""

from __future__ import annotations

import json

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
