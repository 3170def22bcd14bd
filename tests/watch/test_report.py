"""A watched page's files (corsinspector/watch/report.py) from a session of captured rows: the
cors-watch/1 JSON with the engine's verdicts beside the browser's, the JUnit XML with a
failure per blocked request, and the HAR that ``main.py import`` reads back."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

from corsinspector.app.report import headline
from corsinspector.formats.collection import load_collection
from corsinspector.formats.scenario import verdict_to_dict
from corsinspector.model import Headers, NetworkError, Request, Response, SentRequest
from corsinspector.watch.capture import BrowserSays, Hop, Session, Watched
from corsinspector.watch.judge import agrees
from corsinspector.watch.report import har, junit_xml, watch_json
from tests.commandline import main_py

FRONT = "http://127.0.0.1:8001"
API = "http://127.0.0.1:8002"
PAGE = FRONT + "/"
REFUSED = "http://127.0.0.1:8003"
_ALLOW: Headers = (("Access-Control-Allow-Origin", FRONT),)
_BLOCKED_MESSAGE = (
    f"Access to fetch at '{API}/no-cors' from origin '{FRONT}' has been blocked by CORS "
    "policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."
)


def _sent(method: str, url: str, *extra: tuple[str, str]) -> SentRequest:
    origin = () if url.startswith(FRONT) else (("Origin", FRONT),)
    return SentRequest(method, url, (("Host", url.split("/")[2]), *origin, *extra))


def _row(
    seq: int,
    request: Request,
    hops: tuple[Hop, ...],
    browser: BrowserSays,
    preflight: Hop | None = None,
) -> Watched:
    return Watched(f"id{seq}", seq, 0, "Fetch", request, preflight, hops, browser, 1e9, True)


def _session() -> Session:
    """A page's five requests as a capture would hold them: allowed, blocked by CORS, a
    preflighted PUT, a same-origin one and one to a port that refused the connection."""
    session = Session()
    session.start_load(PAGE, 1e9)
    headers = (("Content-Type", "application/json"), ("X-Request-Id", "42"))
    put = Request(API + "/items/1", "PUT", FRONT, headers, body="{}")
    preflight = Hop(
        _sent(
            "OPTIONS",
            API + "/items/1",
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type,x-request-id"),
        ),
        Response(204, (*_ALLOW, ("Access-Control-Allow-Methods", "PUT"),
                       ("Access-Control-Allow-Headers", "content-type, x-request-id"))),
    )  # fmt: skip
    refused = NetworkError("net::ERR_CONNECTION_REFUSED", "the port refused the connection")
    rows = [
        _row(0, Request(API + "/simple", origin=FRONT),
             (Hop(_sent("GET", API + "/simple"), Response(200, _ALLOW)),), BrowserSays(True)),
        _row(1, Request(API + "/no-cors", origin=FRONT),
             (Hop(_sent("GET", API + "/no-cors"), Response(200)),),
             BrowserSays(False, "MissingAllowOriginHeader", message=_BLOCKED_MESSAGE,
                         net_error="net::ERR_FAILED")),
        _row(2, put, (Hop(_sent("PUT", API + "/items/1", *headers), Response(200, _ALLOW)),),
             BrowserSays(True), preflight),
        _row(3, Request(FRONT + "/same.json", origin=FRONT),
             (Hop(_sent("GET", FRONT + "/same.json"), Response(200)),), BrowserSays(True)),
        _row(4, Request(REFUSED + "/x", origin=FRONT),
             (Hop(_sent("GET", REFUSED + "/x"), None, refused),),
             BrowserSays(False, net_error="net::ERR_CONNECTION_REFUSED")),
    ]  # fmt: skip
    for row in rows:
        session.put(row)
    return session


def test_the_json_has_each_cross_origin_request_in_order_with_both_verdicts() -> None:
    session = _session()
    data = watch_json(session, PAGE)
    assert data["format"] == "cors-watch/1"
    assert data["page"] == PAGE
    urls = [API + "/simple", API + "/no-cors", API + "/items/1", REFUSED + "/x"]
    assert [item["url"] for item in data["requests"]] == urls  # the same-origin one hidden
    assert [item["method"] for item in data["requests"]] == ["GET", "GET", "PUT", "GET"]
    assert {item["origin"] for item in data["requests"]} == {FRONT}
    for item, row in zip(data["requests"], session.find(), strict=True):
        assert set(item) == {"method", "url", "origin", "verdict", "browser"}
        assert item["verdict"] == verdict_to_dict(session.verdict(row))
        says = row.browser
        assert item["browser"] == {"allowed": says.allowed, "kind": says.kind,
                                   "message": says.message}  # fmt: skip
        assert agrees(row, session.verdict(row))  # the engine reaches the browser's verdict
    kinds = [(i["verdict"]["allowed"], (i["verdict"]["error"] or {}).get("kind"))
             for i in data["requests"]]  # fmt: skip
    assert kinds == [
        (True, None),
        (False, "MissingAllowOriginHeader"),
        (True, None),
        (False, "NetworkFailure"),
    ]
    json.dumps(data)  # plain JSON


def test_the_junit_report_fails_each_blocked_request_with_its_headline_and_message() -> None:
    session = _session()
    suite = ElementTree.fromstring(junit_xml(session, PAGE).encode())
    cases = suite.findall("testcase")
    assert suite.get("name") == PAGE
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "2", "0")
    assert [c.get("name") for c in cases] == [
        f"#0 GET {API}/simple",
        f"#1 GET {API}/no-cors",
        f"#2 PUT {API}/items/1",
        f"#4 GET {REFUSED}/x",
    ]
    failed = {c.get("name"): c.find("failure") for c in cases if c.find("failure") is not None}
    blocked = failed[f"#1 GET {API}/no-cors"]
    assert blocked is not None
    title = headline(session.verdict(session.find()[1])).title
    assert blocked.get("message") == title
    assert blocked.get("type") == "MissingAllowOriginHeader"
    assert blocked.text == f"{title}\n{_BLOCKED_MESSAGE}"
    refused = failed[f"#4 GET {REFUSED}/x"]
    assert refused is not None
    assert "net::ERR_CONNECTION_REFUSED" in (refused.get("message") or "")


def test_a_request_still_in_flight_is_skipped_and_a_disagreement_is_said() -> None:
    session = _session()
    flying = session.find()[0]
    session.put(Watched(flying.id, flying.seq, 0, "Fetch", flying.request, None, (),
                        BrowserSays(None), 1e9, False))  # fmt: skip
    wrong = session.find()[1]  # the browser allowed what the engine blocks
    session.put(Watched(wrong.id, wrong.seq, 0, "Fetch", wrong.request, None, wrong.hops,
                        BrowserSays(True), 1e9, True))  # fmt: skip
    suite = ElementTree.fromstring(junit_xml(session, PAGE).encode())
    assert (suite.get("failures"), suite.get("skipped")) == ("2", "1")
    texts = [f.text or "" for f in suite.iter("failure")]
    assert any("!! the engine and the browser disagree" in text for text in texts)


def test_the_har_holds_every_hop_and_import_reads_it_back(tmp_path: Path) -> None:
    session = _session()
    log = har(session)["log"]
    assert log["version"] == "1.2"
    assert [p["title"] for p in log["pages"]] == [PAGE]
    assert [(e["request"]["method"], e["request"]["url"]) for e in log["entries"]] == [
        ("GET", API + "/simple"),
        ("GET", API + "/no-cors"),
        ("OPTIONS", API + "/items/1"),  # the preflight: its own entry, before its request
        ("PUT", API + "/items/1"),
        ("GET", FRONT + "/same.json"),
        ("GET", REFUSED + "/x"),
    ]
    assert log["entries"][-1]["response"]["_error"] == "net::ERR_CONNECTION_REFUSED"
    assert all(e["pageref"] == "page_1" for e in log["entries"])
    path = tmp_path / "page.har"
    path.write_text(json.dumps(har(session)), encoding="utf-8")
    out = main_py("import", str(path), "-o", str(tmp_path / "page.json"))
    assert out.returncode == 0, out.stderr
    items = [item for _path, item in load_collection(tmp_path / "page.json").items()]
    assert [(i.request["method"], i.request["url"]) for i in items] == [
        ("GET", API + "/simple"),
        ("GET", API + "/no-cors"),
        ("PUT", API + "/items/1"),
        ("GET", REFUSED + "/x"),
    ]
    assert {i.request["origin"] for i in items} == {FRONT}
    assert "recorded preflight: 204" in items[2].notes
