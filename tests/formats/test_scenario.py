"""The JSON formats: scenarios and truths read, write, and fail in one line naming the place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corsinspector.errors import InputError
from corsinspector.formats.atomic import write_json_atomic
from corsinspector.formats.json import dump_json
from corsinspector.formats.scenario import (
    load_scenario,
    load_truth,
    scenario_from_dict,
    scenario_to_dict,
    truth_from_dict,
    truth_to_dict,
)
from corsinspector.model import (
    BrowserResult,
    ConsoleLine,
    CorsErrorStatus,
    ReceivedRequest,
    Request,
    Route,
    Scenario,
    Truth,
)

SPEC_EXAMPLE = {
    "format": "cors-scenario/1",
    "name": "put-json-with-credentials",
    "browser": "chromium",
    "request": {
        "url": "https://api.example.test/items/1",
        "method": "PUT",
        "origin": "https://app.example.test",
        "headers": [["Content-Type", "application/json"], ["X-Trace", "1"]],
        "credentials": "include",
        "mode": "cors",
        "body": '{"a": 1}',
    },
    "server": [
        {
            "method": "OPTIONS",
            "url": "https://api.example.test/items/1",
            "status": 204,
            "headers": [
                ["Access-Control-Allow-Origin", "https://app.example.test"],
                ["Access-Control-Allow-Methods", "PUT"],
            ],
        },
        {
            "method": "PUT",
            "url": "https://api.example.test/items/1",
            "status": 200,
            "headers": [["Access-Control-Allow-Origin", "https://app.example.test"]],
            "body": "ok",
        },
    ],
}


def test_the_spec_example_reads_into_the_model() -> None:
    scenario = scenario_from_dict(SPEC_EXAMPLE)
    assert scenario.name == "put-json-with-credentials"
    assert scenario.request.method == "PUT"
    assert scenario.request.headers == (("Content-Type", "application/json"), ("X-Trace", "1"))
    assert scenario.request.credentials == "include"
    assert scenario.server[0].status == 204
    assert scenario.server[1].body == "ok"


def test_a_scenario_survives_a_round_trip_exactly() -> None:
    assert scenario_to_dict(scenario_from_dict(SPEC_EXAMPLE)) == SPEC_EXAMPLE


def test_defaults_follow_fetch() -> None:
    scenario = scenario_from_dict(
        {"format": "cors-scenario/1", "request": {"url": "https://api.example.test/"}}
    )
    assert scenario.request == Request(url="https://api.example.test/")
    assert scenario.request.credentials == "same-origin"
    assert scenario.request.mode == "cors"
    assert scenario.server == ()


def test_repeated_headers_keep_order_case_and_repeats() -> None:
    data = json.loads(json.dumps(SPEC_EXAMPLE))
    data["server"][1]["headers"] = [
        ["access-control-allow-origin", "*"],
        ["Access-Control-Allow-Origin", "https://app.example.test"],
        ["X-Odd", "  spaced  "],
        ["X-Empty", ""],
    ]
    route = scenario_from_dict(data).server[1]
    assert route.headers == (
        ("access-control-allow-origin", "*"),
        ("Access-Control-Allow-Origin", "https://app.example.test"),
        ("X-Odd", "  spaced  "),
        ("X-Empty", ""),
    )


def test_unknown_keys_are_accepted() -> None:
    data = dict(SPEC_EXAMPLE, future_key={"x": 1})
    assert scenario_from_dict(data).name == "put-json-with-credentials"


def _error_for(mutate: object, tmp_path: Path) -> str:
    data = json.loads(json.dumps(SPEC_EXAMPLE))
    mutate(data)  # type: ignore[operator]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    return message


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda d: d.update(format="cors-scenario/2"), "format", "cors-scenario/1"),
        (lambda d: d.pop("format"), "format", "missing"),
        (lambda d: d.pop("request"), "request", "missing"),
        (lambda d: d["request"].pop("url"), "request.url", "missing"),
        (lambda d: d["request"].update(url="not a url"), "request.url", "absolute URL"),
        (lambda d: d["request"].update(url="https://x.test:99999/"), "request.url", "port"),
        (lambda d: d["request"].update(origin="https://u:p@a.test"), "request.origin", "origin"),
        (lambda d: d["request"].update(method="GE T"), "request.method", "token"),
        (lambda d: d["request"].update(method="GET\n"), "request.method", "token"),
        (lambda d: d["request"].update(credentials="always"), "request.credentials", "one of"),
        (lambda d: d["request"].update(mode="navigate"), "request.mode", "one of"),
        (
            lambda d: d["request"].update(headers=[["X Bad", "1"]]),
            "request.headers[0]",
            "not allowed in a name",
        ),
        (
            lambda d: d["request"].update(headers=[["X-A", "1\r\nX-B: 2"]]),
            "request.headers[0]",
            "CR, LF",
        ),
        (lambda d: d["request"].update(headers=[["X-A"]]), "request.headers[0]", "pair"),
        (lambda d: d["server"][1].update(status="200"), "server[1].status", "number"),
        (lambda d: d["server"][1].update(status=99), "server[1].status", "100 to 599"),
        (lambda d: d["server"][0].pop("status"), "server[0].status", "missing"),
    ],
)
def test_a_bad_scenario_is_one_line_naming_the_file_and_field(
    mutate: object, field: str, words: str, tmp_path: Path
) -> None:
    message = _error_for(mutate, tmp_path)
    assert f": {field}: " in message
    assert words in message


def test_a_file_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "cors-scenario/1",\n  oops\n}')
    with pytest.raises(InputError, match=r"broken\.json:3: not valid JSON"):
        load_scenario(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_scenario(tmp_path / "absent.json")


def _truth() -> Truth:
    return Truth(
        scenario="s",
        browser="chromium",
        version="140.0.7339.264",
        result=BrowserResult(
            outcome="rejected",
            browser="chromium",
            version="140.0.7339.264",
            error="TypeError: Failed to fetch",
            console=(ConsoleLine("error", "Access to fetch at …"),),
            cors_errors=(CorsErrorStatus("MethodDisallowedByPreflightResponse", "PUT"),),
        ),
        received=(
            ReceivedRequest(
                "OPTIONS",
                "https://api.example.test/x",
                (("Access-Control-Request-Method", "PUT"), ("Origin", "https://app.example.test")),
            ),
        ),
        recorded_with={"embedder": "QtWebEngine 6.11.3"},
    )


def test_a_truth_survives_a_round_trip(tmp_path: Path) -> None:
    truth = _truth()
    path = tmp_path / "t.json"
    write_json_atomic(path, truth_to_dict(truth))
    assert load_truth(path) == truth
    assert load_truth(path).preflights[0].is_preflight
    assert load_truth(path).cors_error == CorsErrorStatus(
        "MethodDisallowedByPreflightResponse", "PUT"
    )


def test_an_unreproducible_truth_has_no_result() -> None:
    truth = Truth("m", "chromium", "140", unreproducible="mixed content")
    assert truth_from_dict(truth_to_dict(truth)) == truth
    assert not truth.reproducible


def test_json_is_stable_and_keeps_header_pairs_on_one_line() -> None:
    text = dump_json(scenario_to_dict(scenario_from_dict(SPEC_EXAMPLE)))
    assert '["Content-Type", "application/json"],' in text
    assert text == dump_json(json.loads(text))
    assert text.endswith("}\n")


def test_an_atomic_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    write_json_atomic(tmp_path / "a.json", {"x": 1})
    write_json_atomic(tmp_path / "a.json", {"x": 2})
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
    assert json.loads((tmp_path / "a.json").read_text()) == {"x": 2}


def test_route_framing_is_added_only_when_missing() -> None:
    plain = Route("GET", None, 200, (("X-A", "1"),), body="hello")
    assert plain.wire_headers("GET") == (("X-A", "1"), ("Content-Length", "5"))
    framed = Route("GET", None, 200, (("content-length", "5"),), body="hello")
    assert framed.wire_headers("GET") == (("content-length", "5"),)
    assert Route("OPTIONS", None, 204).wire_headers("OPTIONS") == ()


def test_first_matching_route_answers_and_404_is_the_fallback() -> None:
    scenario = Scenario(
        "s",
        Request("https://api.example.test/a"),
        (
            Route("OPTIONS", "https://api.example.test/a", 204),
            Route("*", "https://api.example.test/a", 200),
            Route("GET", None, 201),
        ),
    )
    assert scenario.route_for("OPTIONS", "https://api.example.test/a").status == 204
    assert scenario.route_for("PUT", "https://api.example.test/a").status == 200
    assert scenario.route_for("GET", "https://api.example.test/b").status == 201
    assert scenario.route_for("PUT", "https://api.example.test/b").status == 404
