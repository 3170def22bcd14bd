"""The replay results table in words: collection order, cells, pass or fail, tooltips."""

from __future__ import annotations

from corsinspector import ItemResult
from corsinspector.app.gallery import GALLERY
from corsinspector.app.results import COLUMNS, ResultSlots, pending_row, result_row
from corsinspector.engine.judge import judge
from corsinspector.formats.collection import Expectation
from corsinspector.formats.scenario import load_scenario


def test_answers_take_their_items_rows_whatever_order_they_come_in() -> None:
    slots = ResultSlots(["a/one", "a/two", "b/one", "a/two"])
    assert slots.place("a/two") == 1
    assert slots.place("b/one") == 2
    assert slots.place("a/two") == 3  # a path twice: its rows in order
    assert slots.place("a/two") is None
    assert slots.place("elsewhere") is None
    assert slots.place("a/one") == 0


def test_a_rows_cells_name_the_item_its_folder_and_pass_or_fail() -> None:
    scenario = load_scenario(GALLERY / "missing-allow-origin.json")
    verdict = judge(scenario)
    failed = result_row(
        ItemResult("gallery/missing-allow-origin", scenario.request, verdict, None, 0.0123)
    )
    assert dict(zip(COLUMNS, failed.cells, strict=True)) == {
        "Result": "FAIL",
        "Item": "missing-allow-origin",
        "Expected": "-",
        "Got": "MissingAllowOriginHeader",
        "Culprit": "Access-Control-Allow-Origin",
        "Time": "12 ms",
        "Folder": "gallery",
    }
    assert failed.status == "fail"
    assert failed.tooltip == (
        "gallery/missing-allow-origin: expected -, got MissingAllowOriginHeader (NOT as expected)"
    )
    held = result_row(ItemResult("x", scenario.request, verdict, Expectation(allowed=False), 0.001))
    assert held.status == "pass"
    assert held.cells[:3] == ("pass", "x", "blocked")
    waiting = pending_row("f/sub/item")
    assert waiting.status == "pending"
    assert waiting.cells[1] == "item"
    assert waiting.cells[-1] == "f/sub"
