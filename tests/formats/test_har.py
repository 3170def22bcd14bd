"""HAR 1.2 captures in: a browser's (cross-origin requests by their Origin header) and our
watch's (one item per request the page made, as it asked for it)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from corsinspector.errors import InputError
from corsinspector.formats.collection import Expectation, Item
from corsinspector.formats.har import WATCH_FIELD, WatchHop, har_entry, import_har, watch_field
from corsinspector.model import Exchange, NetworkError, Request, Response, SentRequest
from tests.formats.samples import HAR


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


# --- a HAR our watch wrote: entries marked with _corsinspector -----------------------------

APP, API, OTHER = "http://127.0.0.1:8001", "http://127.0.0.1:8002", "http://127.0.0.1:8003"
_ALLOW = (("Access-Control-Allow-Origin", APP),)


def _entry(
    hop: WatchHop,
    request: SentRequest,
    response: Response | None,
    watched: tuple[str, Request | None, Expectation | None],
    error: str | None = None,
) -> dict[str, Any]:
    failure = None if error is None else NetworkError(error, "")
    kind = "preflight" if hop == "preflight" else "actual"
    entry = har_entry(Exchange(kind, request, response, failure), "2025-01-01T00:00:00.000Z")
    entry[WATCH_FIELD] = watch_field(watched[0], hop, watched[1], watched[2])
    return entry


def _watched_har() -> str:
    """What ``watch --har`` writes for a page that made, in order: a same-origin fetch, a
    credentialed fetch that carried no cookie, a redirected fetch, a PUT stopped at its
    preflight, a fetch refused by the network (no Origin header captured), one in flight."""
    login = Request(API + "/login", origin=APP, credentials="include")
    moved = Request(API + "/moved", origin=APP)
    put = Request(API + "/strict", "PUT", APP, (("X-Request-Id", "1"),), body="{}")
    refused = Request("http://127.0.0.1:9/refused", origin=APP)
    hang = Request(API + "/hang", origin=APP, mode="no-cors")
    origin = (("Origin", APP),)
    entries = [
        _entry("request", SentRequest("GET", APP + "/same"), Response(200),
               ("1", Request(APP + "/same", origin=APP), None)),
        _entry("request", SentRequest("GET", login.url, origin), Response(200, (
            *_ALLOW, ("Access-Control-Allow-Credentials", "true"))),
               ("2", login, Expectation(True))),
        _entry("request", SentRequest("GET", moved.url, origin),
               Response(302, (*_ALLOW, ("Location", OTHER + "/landing"))),
               ("3", moved, Expectation(True))),
        _entry("redirect", SentRequest("GET", OTHER + "/landing", (("Origin", "null"),)),
               Response(200, (("Access-Control-Allow-Origin", "*"),)), ("3", None, None)),
        _entry("preflight", SentRequest("OPTIONS", put.url, (
            *origin, ("Access-Control-Request-Method", "PUT"))), Response(204, _ALLOW),
               ("4", put, Expectation(False, "HeaderDisallowedByPreflightResponse"))),
        _entry("request", SentRequest("GET", refused.url, (("Referer", APP + "/"),)), None,
               ("5", refused, Expectation(False, "NetworkFailure")),
               "net::ERR_CONNECTION_REFUSED"),
        _entry("request", SentRequest("GET", hang.url), None, ("6", hang, None)),
    ]  # fmt: skip
    return json.dumps({"log": {"version": "1.2", "entries": entries}})


def test_a_watched_har_imports_one_item_per_cross_origin_request_as_the_page_asked() -> None:
    login, moved, put, refused, hang = import_har(_watched_har(), "w.har")
    assert login == Item(
        "GET /login",
        {"url": API + "/login", "method": "GET", "origin": APP, "headers": [],
         "credentials": "include", "mode": "cors"},
        Expectation(True),
        "recorded response: 200; Access-Control-Allow-Origin: http://127.0.0.1:8001; "
        "Access-Control-Allow-Credentials: true",
    )  # fmt: skip
    # the redirect target is the same item's hop, not an item of origin null
    assert (moved.name, moved.request["origin"], moved.expect) == (
        "GET /moved",
        APP,
        Expectation(True),
    )
    assert moved.notes == (
        "recorded response: 302; Access-Control-Allow-Origin: http://127.0.0.1:8001; "
        "recorded redirect target: 200; Access-Control-Allow-Origin: *"
    )
    # stopped at its preflight: an item all the same, with the headers and body script set
    assert put.request == {
        "url": API + "/strict", "method": "PUT", "origin": APP,
        "headers": [["X-Request-Id", "1"]], "credentials": "same-origin", "mode": "cors",
        "body": "{}",
    }  # fmt: skip
    assert put.expect == Expectation(False, "HeaderDisallowedByPreflightResponse")
    assert put.notes.startswith("recorded preflight: 204")
    # no Origin header was captured: the page's origin comes from the field
    assert (refused.request["origin"], refused.expect) == (
        APP,
        Expectation(False, "NetworkFailure"),
    )
    assert refused.notes == "recorded response: 0 (failed: net::ERR_CONNECTION_REFUSED)"
    # in flight when the watch ended: no expectation; its mode kept
    assert (hang.request["mode"], hang.expect) == ("no-cors", None)


def test_a_browsers_har_beside_watched_entries_imports_as_before() -> None:
    browser = json.loads(HAR)["log"]["entries"]
    watched = json.loads(_watched_har())["log"]["entries"]
    mixed = json.dumps({"log": {"entries": [*browser, *watched]}})
    items = import_har(mixed, "x.har")
    assert items[:2] == import_har(HAR, "x.har")
    assert [item.name for item in items[2:]] == [
        "GET /login", "GET /moved", "PUT /strict", "GET /refused", "GET /hang"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("field", "where"),
    [
        ({"hop": "request"}, "w.har: log.entries[0]._corsinspector.id: is missing"),
        ({"id": "1", "hop": "jump"}, "w.har: log.entries[0]._corsinspector.hop: must be one of"),
        ({"id": "1", "hop": "request"}, "w.har: log.entries[0]._corsinspector.request: is miss"),
        (
            {"id": "1", "hop": "request", "request": {"url": 5}},
            "w.har: log.entries[0]._corsinspector: request.url: must be a string",
        ),
        (
            {"id": "1", "hop": "request", "request": {"url": API + "/", "origin": APP},
             "expect": {"allowed": "yes"}},
            "w.har: log.entries[0]._corsinspector.expect.allowed: must be",
        ),
    ],
)  # fmt: skip
def test_a_bad_watch_field_is_named(field: dict[str, Any], where: str) -> None:
    entry = {"request": {"method": "GET", "url": API + "/"}, WATCH_FIELD: field}
    with pytest.raises(InputError) as info:
        import_har(json.dumps({"log": {"entries": [entry]}}), "w.har")
    assert str(info.value).startswith(where)
