"""The engine's mixed-content rule and the loopback player agree on which hosts are loopback
(one list, corsinspector.origins.is_loopback_host): ``http://[::1]`` is loopback to both."""

from __future__ import annotations

import pytest

from corsinspector.engine.judge import judge
from corsinspector.engine.kinds import MIXED_CONTENT
from corsinspector.model import Request, Route, Scenario
from corsinspector.wire.loopback import unreproducible_reason

ALLOW = (("Access-Control-Allow-Origin", "https://app.example.test"),)


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://[::1]:8080/data", True),
        ("http://127.0.0.1:8080/data", True),
        ("http://localhost:8080/data", True),
        ("http://api.localhost:8080/data", True),
        ("http://api.example.test/data", False),
    ],
)
def test_engine_and_player_agree_on_loopback_hosts(url: str, loopback: bool) -> None:
    request = Request(url=url, origin="https://app.example.test")
    scenario = Scenario("loopback", request, (Route("GET", url, 200, ALLOW),))
    verdict = judge(scenario)
    blocked_as_mixed = verdict.error is not None and verdict.error.kind == MIXED_CONTENT
    reason = unreproducible_reason(scenario)
    assert blocked_as_mixed is not loopback
    assert (reason is not None and "mixed content" in reason) is not loopback
