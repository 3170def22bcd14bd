"""No secret leaves through ``export`` or stays in clear through ``import``: real loopback
servers that echo the secrets back, ``main.py`` run as a subprocess."""

from __future__ import annotations

import base64
import json
import shlex
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from corsinspector.formats.scenario import scenario_from_dict
from corsinspector.wire.server import ScenarioServer, serve_in_thread
from tests.commandline import main_py

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


def _leaks(text: str) -> list[str]:
    return sorted(form for secret in (TOKEN, PASSWORD) for form in _forms(secret) if form in text)


def test_a_har_export_holds_no_secret_even_when_the_server_echoes_it(
    tmp_path: Path, server: ScenarioServer
) -> None:
    path = _collection(tmp_path, server)
    out = tmp_path / "replay.har"
    result = main_py("export", str(path), "--to", "har", "--env", "prod", "-o", str(out))
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
    imported = main_py("import", str(out), "-o", str(back))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("imported 3 items into ")
    assert _leaks(back.read_text(encoding="utf-8")) == []

    kept = main_py("export", str(path), "--to", "har", "--env", "prod", "--keep-secrets")
    assert kept.returncode == 0, kept.stderr
    assert TOKEN in kept.stdout
    assert f"Basic {_b64(f'alice:{PASSWORD}')}" in kept.stdout


def test_a_curl_export_holds_no_secret_and_keeps_repeated_headers(
    tmp_path: Path, server: ScenarioServer
) -> None:
    path = _collection(tmp_path, server)
    result = main_py("export", str(path), "--to", "curl", "--env", "prod")
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


API_KEY = "key-5b4a3c2d1e0f9a8b"
#: Answers the imported requests: /data (bearer token, ?api_key=) and /profile (X-Api-Key).
IMPORTED = {
    "format": "cors-scenario/1",
    "request": {"url": f"{API}/data"},
    "server": [
        {
            "method": "OPTIONS",
            "url": None,
            "status": 204,
            "headers": [
                ["Access-Control-Allow-Origin", APP],
                ["Access-Control-Allow-Headers", "authorization, x-api-key"],
            ],
        },
        {
            "method": "GET",
            "url": None,
            "status": 200,
            "headers": [["Access-Control-Allow-Origin", APP]],
        },
    ],
}


def _har(base: str) -> str:
    headers = {
        "Origin": APP,
        "Authorization": f"Bearer {TOKEN}",
        "Accept": "application/json",
    }
    entry = {
        "request": {
            "method": "GET",
            "url": f"{base}/data?page=2&api_key={API_KEY}",
            "headers": [{"name": n, "value": v} for n, v in headers.items()],
        },
        "response": {"status": 200, "headers": []},
    }
    return json.dumps({"log": {"version": "1.2", "entries": [entry]}})


def _postman(base: str) -> str:
    request = {
        "method": "GET",
        "url": {"raw": f"{base}/profile"},
        "header": [{"key": "Origin", "value": APP}],
        "auth": {
            "type": "apikey",
            "apikey": [
                {"key": "key", "value": "X-Api-Key"},
                {"key": "value", "value": API_KEY},
                {"key": "in", "value": "header"},
            ],
        },
    }
    return json.dumps(
        {
            "info": {
                "name": "team",
                "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
            },
            "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{tok}}"}]},
            "variable": [{"key": "tok", "value": TOKEN}],
            "item": [
                {"name": "profile", "request": request},
                {"name": "me", "request": {"method": "GET", "url": f"{base}/me"}},
            ],
        }
    )


def test_imported_credentials_become_secret_variables_that_run_still_sends(
    tmp_path: Path,
) -> None:
    with serve_in_thread(scenario_from_dict(IMPORTED)) as live:
        (tmp_path / "panel.har").write_text(_har(live.base_url))
        (tmp_path / "team.postman.json").write_text(_postman(live.base_url))
        envs = tmp_path / "api.env.json"
        # An environments file already there: its other environment stays as it was.
        other = {"staging": {"origin": APP, "api_key": {"value": "older", "secret": True}}}
        envs.write_text(json.dumps({"format": "cors-environments/1", "environments": other}))
        out = tmp_path / "api.json"
        files = [str(tmp_path / "panel.har"), str(tmp_path / "team.postman.json")]
        result = main_py("import", *files, "-o", str(out), "--env", "staging")
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == [
            f"imported 3 items into {out}",
            "moved 2 credentials into secret variables of environment 'staging' in "
            f"{envs} (use --env staging; --keep-credentials keeps them in the collection):",
            "  {{bearer_token}}: Authorization (2 items)",
            "  {{api_key_2}}: ?api_key=, X-Api-Key (2 items)",
        ]
        text = out.read_text(encoding="utf-8")
        assert TOKEN not in text
        assert API_KEY not in text
        requests = [item["request"] for f in json.loads(text)["folders"] for item in f["items"]]
        assert requests[0]["url"] == f"{live.base_url}/data?page=2&api_key={{{{api_key_2}}}}"
        assert ["Authorization", "Bearer {{bearer_token}}"] in requests[0]["headers"]
        assert ["X-Api-Key", "{{api_key_2}}"] in requests[1]["headers"]
        saved = json.loads(envs.read_text(encoding="utf-8"))["environments"]["staging"]
        assert saved == {
            **other["staging"],
            "bearer_token": {"value": TOKEN, "secret": True},
            "api_key_2": {"value": API_KEY, "secret": True},
        }
        assert json.loads((tmp_path / "api.env.json.bak").read_text())["environments"] == other

        replay = main_py("run", str(out), "--env", "staging")
        assert replay.returncode == 0, replay.stdout + replay.stderr
        sent = {(r.method, r.target): dict(r.headers) for r in live.log}
    assert sent[("GET", f"/data?page=2&api_key={API_KEY}")]["Authorization"] == f"Bearer {TOKEN}"
    assert sent[("GET", "/profile")]["X-Api-Key"] == API_KEY
    # The collection's bearer auth reaches "me"; "profile" has its own auth (the API key).
    assert sent[("GET", "/me")]["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in sent[("GET", "/profile")]


def test_keep_credentials_leaves_them_in_the_collection(tmp_path: Path) -> None:
    (tmp_path / "panel.har").write_text(_har("http://127.0.0.1:9"))
    out = tmp_path / "clear.json"
    result = main_py("import", str(tmp_path / "panel.har"), "-o", str(out), "--keep-credentials")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"imported 1 items into {out}\n"
    assert f"Bearer {TOKEN}" in out.read_text(encoding="utf-8")
    assert not (tmp_path / "clear.env.json").exists()


def test_an_unreadable_environments_file_stops_the_import_before_anything_is_written(
    tmp_path: Path,
) -> None:
    (tmp_path / "panel.har").write_text(_har("http://127.0.0.1:9"))
    envs = tmp_path / "api.env.json"
    envs.write_text('{"format": "cors-environments/1", "environments": {"x": 5}}')
    result = main_py("import", str(tmp_path / "panel.har"), "-o", str(tmp_path / "api.json"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "api.env.json" in result.stderr
    assert not (tmp_path / "api.json").exists()
    assert envs.read_text() == '{"format": "cors-environments/1", "environments": {"x": 5}}'


def test_a_short_secret_is_redacted_where_it_stands_alone_and_named_in_a_warning(
    tmp_path: Path,
) -> None:
    item = {
        "name": "pinned",
        "request": {
            "url": "http://127.0.0.1:8001/p?pin={{pin}}",
            "origin": APP,
            "headers": [["X-Pin", "{{pin}}"], ["X-Key", "k{{pin}}"], ["X-Port", "8001"]],
        },
    }
    path = tmp_path / "short.json"
    path.write_text(
        json.dumps({"format": "cors-collection/1", "folders": [{"name": "f", "items": [item]}]})
    )
    environments = {"dev": {"pin": {"value": "1", "secret": True}}}
    (tmp_path / "short.env.json").write_text(
        json.dumps({"format": "cors-environments/1", "environments": environments})
    )
    result = main_py("export", str(path), "--to", "curl", "--env", "dev")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "warning: secret {{pin}} is shorter than 8 characters: redacted only where it stands "
        "alone or where the collection's template put it\n"
    )
    request = shlex.split(result.stdout.splitlines()[-1])
    assert request[1] == "http://127.0.0.1:8001/p?pin={{pin}}"  # the address is untouched
    headers = [request[i + 1] for i, word in enumerate(request) if word == "-H"]
    assert {"X-Pin: {{pin}}", "X-Key: k{{pin}}", "X-Port: 8001"} <= set(headers)
