"""No secret leaves through ``export`` or stays in clear through ``import``: real loopback
servers that echo the secrets back, ``main.py`` run as a subprocess."""

from __future__ import annotations

import base64
import json
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from corsinspector.formats import scenario_from_dict
from corsinspector.server import ScenarioServer, serve_in_thread

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
APP = "https://app.example.test"
API = "https://api.example.test"
TOKEN = "tok_9f8e7d6c5b4a3210"
#: Characters that every encoder changes: space, '@', '/', ':', a non-ASCII letter, '"'.
PASSWORD = 'p@ss w/rd:é!"x'
NEXT = f"/next?token={TOKEN}&pw={quote(PASSWORD, safe='')}"


def _b64(text: str, *, urlsafe: bool = False) -> str:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    return encode(text.encode()).decode()


def _forms(secret: str) -> set[str]:
    """Every way the secret may be written that must not appear in an export."""
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        quote(secret, safe="").lower(),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    for text in (secret, f"alice:{secret}", json.dumps({"sub": secret})):
        for urlsafe in (False, True):
            forms |= {_b64(text, urlsafe=urlsafe), _b64(text, urlsafe=urlsafe).rstrip("=")}
    return forms


def _cors(status: int, *more: list[str], body: str | None = None) -> dict[str, object]:
    headers = [
        ["Access-Control-Allow-Origin", APP],
        ["Access-Control-Allow-Credentials", "true"],
        ["Access-Control-Allow-Headers", "authorization, x-a"],
        *more,
    ]
    route: dict[str, object] = {"status": status, "headers": headers}
    if body is not None:
        route["body"] = body
    return route


#: The server echoes both secrets back in every way a real one might.
ECHO = {
    "format": "cors-scenario/1",
    "request": {"url": f"{API}/start"},
    "server": [
        {
            "method": "OPTIONS",
            "url": f"{API}/start?api_key={TOKEN}",
            **_cors(204, ["X-Echo", TOKEN]),
        },
        {
            "method": "GET",
            "url": f"{API}/start?api_key={TOKEN}",
            **_cors(
                302,
                ["Location", NEXT],
                ["Set-Cookie", f"sid={TOKEN}; Path=/"],
                ["Set-Cookie", f"pw={quote_plus(PASSWORD)}; Path=/"],
                ["X-A", TOKEN],
                ["X-A", _b64(TOKEN)],
            ),
        },
        {"method": "OPTIONS", "url": API + NEXT, **_cors(204)},
        {
            "method": "GET",
            "url": API + NEXT,
            **_cors(
                200,
                ["Content-Type", "application/json"],
                ["X-Basic", "Basic " + _b64(f"alice:{PASSWORD}")],
                body=json.dumps(
                    {
                        "token": TOKEN,
                        "password": PASSWORD,
                        "encoded": quote(PASSWORD, safe=""),
                        "jwt": "eyJhbGciOiJub25lIn0."
                        + _b64(json.dumps({"sub": TOKEN}), urlsafe=True).rstrip("=")
                        + ".",
                    }
                ),
            ),
        },
        {
            "method": "POST",
            "url": f"{API}/login",
            "status": 200,
            "headers": [["Access-Control-Allow-Origin", "*"]],
            "body": json.dumps({"you sent": PASSWORD}),
        },
    ],
}


@pytest.fixture
def server() -> Iterator[ScenarioServer]:
    with serve_in_thread(scenario_from_dict(ECHO)) as live:
        yield live


def _collection(tmp_path: Path, server: ScenarioServer) -> Path:
    flow = {
        "name": "flow",
        "request": {
            "url": "{{base_url}}/start?api_key={{token}}",
            "origin": "{{origin}}",
            "credentials": "include",
            "headers": [["Authorization", "Bearer {{token}}"], ["X-A", "one"], ["X-A", "two"]],
        },
        "expect": {"allowed": True},
    }
    login = {
        "name": "login",
        "request": {
            "url": "{{base_url}}/login",
            "method": "POST",
            "origin": "{{origin}}",
            "headers": [["Content-Type", "text/plain"]],
            "body": "user=alice&password={{password}}",
        },
    }
    path = tmp_path / "prod.json"
    path.write_text(
        json.dumps(
            {
                "format": "cors-collection/1",
                "name": "prod",
                "folders": [{"name": "api", "items": [flow, login]}],
            }
        )
    )
    environments = {
        "format": "cors-environments/1",
        "environments": {
            "prod": {
                "base_url": server.base_url,
                "origin": APP,
                "token": {"value": TOKEN, "secret": True},
                "password": {"value": PASSWORD, "secret": True},
            }
        },
    }
    (tmp_path / "prod.env.json").write_text(json.dumps(environments))
    return path


def main(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _leaks(text: str) -> list[str]:
    return sorted(form for secret in (TOKEN, PASSWORD) for form in _forms(secret) if form in text)


def test_a_har_export_holds_no_secret_even_when_the_server_echoes_it(
    tmp_path: Path, server: ScenarioServer
) -> None:
    path = _collection(tmp_path, server)
    out = tmp_path / "replay.har"
    result = main("export", str(path), "--to", "har", "--env", "prod", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # both secrets are long enough to be redacted everywhere
    text = out.read_text(encoding="utf-8")
    assert _leaks(text) == []
    # The server really did get (and echo) the secrets: the export is of a real replay.
    sent = {(r.method, r.target): dict(r.headers) for r in server.log}
    assert sent[("GET", f"/start?api_key={TOKEN}")]["Authorization"] == f"Bearer {TOKEN}"
    assert sent[("GET", NEXT)]["Cookie"] == f"sid={TOKEN}; pw={quote_plus(PASSWORD)}"
    assert sent[("GET", NEXT)]["X-A"] == "one, two"

    entries = json.loads(text)["log"]["entries"]
    hops = [(e["request"]["method"], e["request"]["url"], e["response"]["status"]) for e in entries]
    base = server.base_url
    assert hops == [
        ("OPTIONS", f"{base}/start?api_key={{{{token}}}}", 204),
        ("GET", f"{base}/start?api_key={{{{token}}}}", 302),
        ("OPTIONS", f"{base}/next?token={{{{token}}}}&pw={{{{password}}}}", 204),
        ("GET", f"{base}/next?token={{{{token}}}}&pw={{{{password}}}}", 200),
        ("POST", f"{base}/login", 200),
    ]
    redirect = entries[1]
    assert redirect["response"]["redirectURL"] == "/next?token={{token}}&pw={{password}}"
    response_headers = [(h["name"], h["value"]) for h in redirect["response"]["headers"]]
    assert [v for n, v in response_headers if n == "Set-Cookie"] == [
        "sid={{token}}; Path=/",
        "pw={{password}}; Path=/",
    ]
    assert [v for n, v in response_headers if n == "X-A"] == ["{{token}}", "{{base64:{{token}}}}"]
    request_headers = [(h["name"], h["value"]) for h in redirect["request"]["headers"]]
    # fetch() joins a repeated request header into one line, as the server received it.
    assert [v for n, v in request_headers if n == "X-A"] == ["one, two"]
    assert ("Authorization", "Bearer {{token}}") in request_headers
    final = entries[3]["response"]
    assert ("X-Basic", "Basic {{base64:alice:{{password}}}}") in [
        (h["name"], h["value"]) for h in final["headers"]
    ]
    body = json.loads(final["content"]["text"])
    assert body["token"] == "{{token}}"
    assert body["password"] == body["encoded"] == "{{password}}"
    # Base64 of JSON is encoded again around the placeholder: the JWT stays a JWT.
    payload = body["jwt"].split(".")[1]
    assert base64.urlsafe_b64decode(payload + "==").decode() == '{"sub": "{{token}}"}'
    assert entries[4]["request"]["postData"]["text"] == "user=alice&password={{password}}"

    # The redacted HAR still imports: its cross-origin requests become items again.
    back = tmp_path / "back.json"
    imported = main("import", str(out), "-o", str(back))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("imported 3 items into ")
    assert _leaks(back.read_text(encoding="utf-8")) == []

    kept = main("export", str(path), "--to", "har", "--env", "prod", "--keep-secrets")
    assert kept.returncode == 0, kept.stderr
    assert TOKEN in kept.stdout
    assert f"Basic {_b64(f'alice:{PASSWORD}')}" in kept.stdout


def test_a_curl_export_holds_no_secret_and_keeps_repeated_headers(
    tmp_path: Path, server: ScenarioServer
) -> None:
    path = _collection(tmp_path, server)
    result = main("export", str(path), "--to", "curl", "--env", "prod")
    assert result.returncode == 0, result.stderr
    assert _leaks(result.stdout) == []
    lines = result.stdout.splitlines()
    flow = shlex.split(lines[lines.index("# api/flow") + 2])
    assert flow[:2] == ["curl", f"{server.base_url}/start?api_key={{{{token}}}}"]
    headers = [flow[i + 1] for i, word in enumerate(flow) if word == "-H"]
    assert "Authorization: Bearer {{token}}" in headers
    assert "X-A: one, two" in headers
    login = shlex.split(lines[lines.index("# api/login") + 1])
    assert login[-2:] == ["--data-raw", "user=alice&password={{password}}"]
    assert server.log == []  # a cURL export sends nothing
