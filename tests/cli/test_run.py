"""``main.py run`` replays a collection against a real loopback server, for CI."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pytest

from corsinspector.formats.scenario import scenario_from_dict
from corsinspector.wire.server import ScenarioServer, serve_in_thread

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
APP = "https://app.example.test"
API = "https://api.example.test"

SERVER = {
    "format": "cors-scenario/1",
    "request": {"url": f"{API}/ok"},
    "server": [
        {
            "method": "GET",
            "url": f"{API}/ok",
            "status": 200,
            "headers": [["Access-Control-Allow-Origin", "*"]],
        },
        {"method": "GET", "url": f"{API}/bare", "status": 200, "headers": []},
        {
            "method": "OPTIONS",
            "url": f"{API}/traced",
            "status": 204,
            "headers": [
                ["Access-Control-Allow-Origin", APP],
                ["Access-Control-Allow-Headers", "x-trace"],
            ],
        },
        {
            "method": "GET",
            "url": f"{API}/traced",
            "status": 200,
            "headers": [["Access-Control-Allow-Origin", APP]],
        },
    ],
}


def _item(
    name: str, path: str, expect: dict[str, object], headers: list[list[str]] | None = None
) -> dict[str, object]:
    request = {"url": "{{base_url}}" + path, "origin": "{{origin}}", "headers": headers or []}
    return {"name": name, "request": request, "expect": expect}


@pytest.fixture
def server() -> Iterator[ScenarioServer]:
    with serve_in_thread(scenario_from_dict(SERVER)) as live:
        yield live


def _files(tmp_path: Path, server: ScenarioServer, *, failing: bool) -> Path:
    items = [
        _item("simple", "/ok", {"allowed": True}),
        _item("no headers", "/bare", {"allowed": False, "kind": "MissingAllowOriginHeader"}),
        _item("traced", "/traced", {"allowed": True}, [["X-Trace", "{{trace}}"]]),
    ]
    if failing:
        items.append(_item("should pass", "/bare", {"allowed": True}))
    collection = {
        "format": "cors-collection/1",
        "name": "staging",
        "folders": [{"name": "api", "items": items[:2]}, {"name": "more", "items": items[2:]}],
    }
    path = tmp_path / "staging.json"
    path.write_text(json.dumps(collection))
    environments = {
        "format": "cors-environments/1",
        "environments": {
            "dev": {
                "base_url": server.base_url,
                "origin": APP,
                "trace": {"value": "1", "secret": True},
            }
        },
    }
    (tmp_path / "staging.env.json").write_text(json.dumps(environments))
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "run", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_expectation_holding_exits_0_in_collection_order(
    tmp_path: Path, server: ScenarioServer
) -> None:
    path = _files(tmp_path, server, failing=False)
    report = tmp_path / "report.json"
    result = run(str(path), "--env", "dev", "--concurrency", "3", "--json", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "3 of 3 items as expected."
    verdicts = json.loads(report.read_text())
    assert [v["item"] for v in verdicts] == ["api/simple", "api/no headers", "more/traced"]
    assert [v["verdict"]["allowed"] for v in verdicts] == [True, False, True]
    assert verdicts[1]["verdict"]["format"] == "cors-verdict/1"


def test_a_failed_expectation_exits_1_and_the_junit_report_names_it(
    tmp_path: Path, server: ScenarioServer
) -> None:
    path = _files(tmp_path, server, failing=True)
    junit = tmp_path / "junit.xml"
    result = run(str(path), "--env", "dev", "--junit", str(junit))
    assert result.returncode == 1
    assert "FAIL more/should pass: blocked: MissingAllowOriginHeader" in result.stdout
    suite = ElementTree.parse(junit).getroot()
    assert (suite.tag, suite.get("tests"), suite.get("failures")) == ("testsuite", "4", "1")
    failed = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    assert [(case.get("classname"), case.get("name")) for case in failed] == [
        ("more", "should pass")
    ]
    failure = failed[0].find("failure")
    assert failure is not None
    assert failure.get("message") == "expected allowed, got blocked: MissingAllowOriginHeader"
    assert (failure.text or "").startswith("Access to fetch at ")


def test_an_unknown_variable_is_bad_input_before_anything_is_sent(
    tmp_path: Path, server: ScenarioServer
) -> None:
    path = _files(tmp_path, server, failing=False)
    result = run(str(path))  # no --env: {{base_url}} is unknown
    assert result.returncode == 2
    assert result.stderr.startswith("error: api/simple: request.url: unknown variable {{base_url}}")
    assert server.log == []


def test_a_network_failure_exits_3(tmp_path: Path, server: ScenarioServer) -> None:
    from tests.faultserver import refused_url

    collection = {
        "format": "cors-collection/1",
        "folders": [{"name": "f", "items": [_item("down", "", {"allowed": True})]}],
    }
    path = tmp_path / "down.json"
    path.write_text(json.dumps(collection))
    envs = tmp_path / "envs.json"
    envs.write_text(
        json.dumps(
            {
                "format": "cors-environments/1",
                "environments": {"x": {"base_url": refused_url().rstrip("/"), "origin": APP}},
            }
        )
    )
    result = run(str(path), "--env", "x", "--envs", str(envs))
    assert result.returncode == 3


def export(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "export", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_export_curl_writes_the_preflight_and_request_with_secrets_redacted(
    tmp_path: Path, server: ScenarioServer
) -> None:
    import shlex

    path = _files(tmp_path, server, failing=False)
    result = export(str(path), "--to", "curl", "--env", "dev")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    traced = lines[lines.index("# more/traced") + 1 :]
    assert shlex.split(traced[0])[:4] == ["curl", "-X", "OPTIONS", f"{server.base_url}/traced"]
    assert "Access-Control-Request-Headers: x-trace" in traced[0]
    assert "'X-Trace: {{trace}}'" in traced[1]  # the secret's value is not exported
    kept = export(str(path), "--to", "curl", "--env", "dev", "--keep-secrets")
    assert "'X-Trace: 1'" in kept.stdout


def test_export_har_records_a_live_replay(tmp_path: Path, server: ScenarioServer) -> None:
    path = _files(tmp_path, server, failing=False)
    out = tmp_path / "replay.har"
    result = export(str(path), "--to", "har", "--env", "dev", "--keep-secrets", "-o", str(out))
    assert result.returncode == 0, result.stderr
    log = json.loads(out.read_text())["log"]
    assert log["version"] == "1.2"
    assert [page["title"] for page in log["pages"]] == [
        "api/simple",
        "api/no headers",
        "more/traced",
    ]
    methods = [
        (e["pageref"], e["request"]["method"], e["response"]["status"]) for e in log["entries"]
    ]
    assert methods == [
        ("page_1", "GET", 200),
        ("page_2", "GET", 200),
        ("page_3", "OPTIONS", 204),
        ("page_3", "GET", 200),
    ]


def _import(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "import", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_import_writes_and_then_adds_to_a_collection(tmp_path: Path) -> None:
    from corsinspector.formats.collection import load_collection
    from tests.formats.samples import CHROME_BASH, HAR, POSTMAN

    (tmp_path / "copied.sh").write_text(CHROME_BASH)
    (tmp_path / "panel.har").write_text(HAR)
    (tmp_path / "team.postman.json").write_text(POSTMAN)
    out = tmp_path / "imported.json"
    first = _import(str(tmp_path / "copied.sh"), "-o", str(out))
    assert first.returncode == 0, first.stderr
    copied = len(load_collection(out).items())
    assert copied >= 1
    assert first.stdout.strip() == f"imported {copied} items into {out}"
    second = _import(
        str(tmp_path / "panel.har"), str(tmp_path / "team.postman.json"), "-o", str(out)
    )
    assert second.returncode == 0, second.stderr
    collection = load_collection(out)
    assert len(collection.items()) > copied + 2
    assert collection.folders[0].name == "copied"
    assert (tmp_path / "imported.json.bak").exists()


def test_a_bad_import_is_one_line_and_the_collection_is_untouched(tmp_path: Path) -> None:
    out = tmp_path / "keep.json"
    (tmp_path / "ok.sh").write_text("curl https://api.example.test/x -H 'Origin: https://a.test'")
    assert _import(str(tmp_path / "ok.sh"), "-o", str(out)).returncode == 0
    before = out.read_text()
    (tmp_path / "broken.har").write_text('{"log": {"entries": [{"request": {}}]}}')
    result = _import(str(tmp_path / "broken.har"), "-o", str(out))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "broken.har" in result.stderr
    assert out.read_text() == before


def test_a_captured_variable_feeds_later_items_whatever_the_concurrency(tmp_path: Path) -> None:
    import asyncio

    from corsinspector.formats.collection import load_collection
    from corsinspector.live.runner import run_collection

    login = {
        "format": "cors-scenario/1",
        "request": {"url": f"{API}/login"},
        "server": [
            {
                "method": "POST",
                "url": f"{API}/login",
                "status": 200,
                "headers": [["Access-Control-Allow-Origin", "*"], ["X-Session", "s-42"]],
                "body": '{"user": {"token": "t-7"}}',
            },
            {
                "method": "OPTIONS",
                "url": f"{API}/me",
                "status": 204,
                "headers": [
                    ["Access-Control-Allow-Origin", "*"],
                    ["Access-Control-Allow-Headers", "x-token"],
                ],
            },
            {
                "method": "GET",
                "url": f"{API}/me",
                "status": 200,
                "headers": [["Access-Control-Allow-Origin", "*"]],
            },
        ],
    }
    with serve_in_thread(scenario_from_dict(login)) as live:
        first = {
            "name": "login",
            "request": {"url": "{{base_url}}/login", "method": "POST", "origin": APP, "body": "x"},
            "capture": {"token": "json:user.token", "session": "header:X-Session"},
        }
        later = [
            {
                "name": f"me {n}",
                "request": {
                    "url": "{{base_url}}/me",
                    "origin": APP,
                    "headers": [["Accept-Language", "en"], ["X-Token", "{{token}}-{{session}}"]],
                },
            }
            for n in range(3)
        ]
        path = tmp_path / "flow.json"
        path.write_text(
            json.dumps(
                {
                    "format": "cors-collection/1",
                    "folders": [{"name": "f", "items": [first, *later]}],
                }
            )
        )
        results = asyncio.run(
            run_collection(load_collection(path), {"base_url": live.base_url}, concurrency=4)
        )
        sent = [
            dict(item.headers).get("X-Token")
            for item in live.log
            if (item.method, item.target) == ("GET", "/me")
        ]
    assert [r.path for r in results] == ["f/login", "f/me 0", "f/me 1", "f/me 2"], [
        (r.verdict.error, [(e.request.method, e.request.url) for e in r.verdict.exchanges])
        for r in results
    ]
    assert all(r.verdict.allowed for r in results), [r.verdict.error for r in results]
    assert sent == ["t-7-s-42"] * 3
