"""What-if's core (corsinspector.app.whatif): the recorded answers replayed offline with the
user's edits — headers, status codes, the answer to a request never sent — and the words."""

from __future__ import annotations

from corsinspector.app.gallery import GALLERY
from corsinspector.app.whatif import (
    WHAT_IF_LABEL,
    edit_note,
    not_sent_note,
    scenario_of,
    status_note,
    what_if_state,
)
from corsinspector.engine.judge import judge
from corsinspector.formats.scenario import load_scenario
from corsinspector.model import Scenario, Verdict


def _live(name: str) -> tuple[Scenario, Verdict]:
    scenario = load_scenario(GALLERY / f"{name}.json")
    return scenario, judge(scenario)


def test_unedited_the_recorded_answers_reach_the_same_verdict() -> None:
    scenario, verdict = _live("custom-header-not-allowed")
    again = judge(scenario_of(scenario.request, verdict))
    assert again.allowed == verdict.allowed
    assert again.error is not None
    assert verdict.error is not None
    assert again.error.kind == verdict.error.kind == "HeaderDisallowedByPreflightResponse"
    assert what_if_state(again) == "whatif-blocked"


def test_an_edited_preflight_header_lets_the_request_through_and_its_answer_is_assumed() -> None:
    scenario, verdict = _live("custom-header-not-allowed")
    assert not verdict.actuals  # the live request was never sent
    preflight = verdict.preflights[-1].response
    assert preflight is not None
    headers = tuple(
        (n, "content-type, x-request-id" if n.lower() == "access-control-allow-headers" else v)
        for n, v in preflight.headers
    )
    edited = judge(scenario_of(scenario.request, verdict, response_headers={"preflight": headers}))
    assert edited.allowed
    assert what_if_state(edited) == "whatif-allowed"
    assert not_sent_note(edited).startswith("What-if: it would be sent")
    # the user's own answer for the never-sent request is the one judged
    blocked = judge(
        scenario_of(
            scenario.request,
            verdict,
            response_headers={"preflight": headers, "actual": ()},
        )
    )
    assert not blocked.allowed
    assert blocked.error is not None
    assert blocked.error.stage == "actual"
    assert blocked.error.kind == "MissingAllowOriginHeader"


def test_an_edited_status_code_is_judged() -> None:
    scenario, verdict = _live("preflight-put-json")
    assert verdict.allowed
    failed = judge(scenario_of(scenario.request, verdict, statuses={"preflight": 500}))
    assert not failed.allowed
    assert failed.error is not None
    assert failed.error.kind == "PreflightInvalidStatus"
    assert not_sent_note(failed) == "Not sent, even in this what-if"
    back = judge(scenario_of(scenario.request, verdict, statuses={"preflight": 204}))
    assert back.allowed


def test_the_words_say_what_the_server_really_sent() -> None:
    assert WHAT_IF_LABEL == "What-if, judged offline — nothing sent"
    assert edit_note(("Access-Control-Allow-Headers", "content-type")) == (
        "What-if edit. The server sent: Access-Control-Allow-Headers: content-type"
    )
    assert "did not send this header" in edit_note(None)
    assert (
        status_note(204, 500) == "What-if edit: the server answered 204; judged as if it were 500"
    )
    assert status_note(204, 204) == "The status the server answered: 204"
    assert "never answered" in status_note(None, 200)
