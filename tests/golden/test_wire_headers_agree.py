"""Every request of every reproducible truth, as the Chromium profile would send it, against
what embedded Chromium sent to the recorder's servers: the same headers, values and order.
The requests sent are the embedded browser's own (the engine's chromium-140 profile).

Left out: what the recorder's loopback mapping changes (``Host``; ``Sec-Fetch-Site``,
``Referer`` and ``Sec-Fetch-Storage-Access``, which depend on the loopback URL's site, are
compared live in tests/wire/test_wire_headers.py) and cookies (none in the corpus).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from corsinspector.engine.judge import judge
from corsinspector.engine.profiles import CHROMIUM_140
from corsinspector.formats.scenario import load_scenario, load_truth
from corsinspector.model import Headers
from corsinspector.wire.profiles import CHROMIUM, wire_headers
from tests.golden.corpus import SCENARIOS, truth_paths

_MAPPED = frozenset({"host", "sec-fetch-site", "referer", "sec-fetch-storage-access", "cookie"})


def _comparable(headers: Headers) -> list[tuple[str, str]]:
    return [(name, value) for name, value in headers if name.lower() not in _MAPPED]


@pytest.mark.parametrize(
    "path", [p for p in truth_paths() if load_truth(p).reproducible], ids=lambda p: p.stem
)
def test_the_chromium_profile_sends_what_chromium_sent(path: Path) -> None:
    truth = load_truth(path)
    scenario = replace(load_scenario(SCENARIOS / path.name), browser=CHROMIUM_140.name)
    sent = [e for e in judge(scenario).exchanges if e.browser_sends]
    assert len(sent) == len(truth.received)
    for exchange, received in zip(sent, truth.received, strict=True):
        ours = wire_headers(CHROMIUM, exchange, scenario.request.origin)
        assert _comparable(ours) == _comparable(received.headers)
