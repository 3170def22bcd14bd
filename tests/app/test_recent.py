"""Recent origins, most recent first (corsinspector.app.recent)."""

from __future__ import annotations

from corsinspector.app.recent import DEFAULT_ORIGINS, offered_origins, remember


def test_remember_moves_an_origin_to_the_front_without_duplicates() -> None:
    recent = remember(["https://a.test", "https://b.test"], "https://b.test")
    assert recent == ["https://b.test", "https://a.test"]
    assert remember(recent, "  https://c.test ") == [
        "https://c.test",
        "https://b.test",
        "https://a.test",
    ]


def test_remember_keeps_at_most_the_limit() -> None:
    recent: list[str] = []
    for i in range(15):
        recent = remember(recent, f"https://{i}.test", limit=10)
    assert len(recent) == 10
    assert recent[0] == "https://14.test"
    assert recent[-1] == "https://5.test"


def test_an_empty_origin_is_not_remembered() -> None:
    assert remember(["https://a.test"], " ") == ["https://a.test"]


def test_the_offer_is_recent_then_defaults_then_null_once() -> None:
    assert offered_origins([]) == [*DEFAULT_ORIGINS, "null"]
    offered = offered_origins(["null", "https://x.test", DEFAULT_ORIGINS[1]])
    assert offered == ["https://x.test", DEFAULT_ORIGINS[1], DEFAULT_ORIGINS[0], "null"]
