"""Matching the instrumentation's reports to requests (watch/reports.py): in the order the
page made them whichever side arrives first, by URL without its fragment and method as
fetch() normalizes it; bounded on both sides."""

from __future__ import annotations

import json

from corsinspector.watch.reports import Report, ReportBook, read_report

URL = "http://api.test/items"


def report(credentials: str, url: str = URL, method: str = "get") -> Report:
    payload = {"url": url, "method": method, "credentials": credentials, "mode": "cors"}
    read = read_report(json.dumps(payload))
    assert read is not None
    return read


def test_reports_are_read_and_tidied() -> None:
    assert report("include", URL + "#top") == {
        "url": URL,
        "method": "GET",
        "credentials": "include",
        "mode": "cors",
    }
    assert report("omit", method="patch")["method"] == "patch"  # not one fetch() upper-cases
    assert read_report("{not json") is None
    assert read_report(json.dumps({"url": URL, "credentials": "all", "mode": "cors"})) is None


def test_identical_requests_get_their_reports_in_order_either_way() -> None:
    book = ReportBook(10)
    book.wait("1", URL, "GET")
    book.wait("2", URL + "#x", "GET")
    assert book.add(report("include"), lambda id: True) == "1"
    assert book.add(report("omit"), lambda id: True) == "2"
    assert book.add(report("same-origin"), lambda id: True) is None  # kept for its request
    first, second = report("include"), report("omit")
    for kept in (first, second):
        assert book.add(kept, lambda id: True) is None
    assert book.claim(URL, "GET") == report("same-origin")
    assert book.claim(URL, "get") == first
    assert book.claim(URL, "GET") == second
    assert book.claim(URL, "GET") is None
    assert book.claim(URL, "POST") is None


def test_a_request_no_longer_waiting_is_passed_over() -> None:
    book = ReportBook(10)
    book.wait("gone", URL, "GET")
    book.wait("here", URL, "GET")
    assert book.add(report("include"), lambda id: id != "gone") == "here"


def test_both_sides_keep_only_the_latest() -> None:
    book = ReportBook(3)
    for n in range(5):
        assert book.add(report("omit", f"{URL}/{n}"), lambda id: True) is None
    assert [book.claim(f"{URL}/{n}", "GET") is not None for n in range(5)] == [
        False,
        False,
        True,
        True,
        True,
    ]
    for n in range(5):
        book.wait(str(n), f"{URL}/{n}", "GET")
    found = [book.add(report("omit", f"{URL}/{n}"), lambda id: True) for n in range(5)]
    assert found == [None, None, "2", "3", "4"]
