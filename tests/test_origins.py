"""Origins serialize as browsers do: lower case, default ports dropped, no path."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

import idna
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corsinspector.app.report import headline
from corsinspector.engine.judge import judge
from corsinspector.formats.scenario import build_request
from corsinspector.model import Request, Route, Scenario, header_values
from corsinspector.origins import (
    is_same_origin,
    normalize_url,
    origin_note,
    origin_of,
    path_and_query,
    serialize_origin,
)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://api.example.test/items/1?x=1", "https://api.example.test"),
        ("HTTPS://API.Example.TEST:443/", "https://api.example.test"),
        ("http://api.example.test:80", "http://api.example.test"),
        ("https://api.example.test:8443/x", "https://api.example.test:8443"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
        ("data:text/plain,hi", "null"),
        ("file:///etc/hosts", "null"),
    ],
)
def test_origin_serialization(url: str, origin: str) -> None:
    assert origin_of(url) == origin


def test_a_default_port_is_the_same_origin_as_none() -> None:
    assert is_same_origin("https://a.test:443/x", "https://a.test/y")
    assert not is_same_origin("https://a.test/", "http://a.test/")
    assert not is_same_origin("https://a.test/", "https://a.test:8443/")
    assert not is_same_origin("data:,x", "data:,x")


@pytest.mark.parametrize(
    "text",
    [
        "app.test",
        "https://u@app.test",
        "https://:p@app.test",
        "data:,x",
        "blob:https://a.test/1",
        "",
    ],
)
def test_what_is_not_an_origin_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="origin"):
        serialize_origin(text)


def test_a_bad_port_is_named() -> None:
    with pytest.raises(ValueError, match="bad port"):
        serialize_origin("http://localhost:65536")


def test_null_is_an_origin() -> None:
    assert serialize_origin("null") == "null"


def test_urls_normalize_as_a_browser_prints_them() -> None:
    assert normalize_url("HTTPS://API.example.test:443") == "https://api.example.test/"
    assert normalize_url("https://u:p@API.test/x?q#frag") == "https://u:p@api.test/x?q"
    assert normalize_url("data:text/plain,Hi") == "data:text/plain,Hi"
    assert path_and_query("https://a.test") == "/"
    assert path_and_query("https://a.test/x/y?z=1") == "/x/y?z=1"


# --- what a person types: the property ----------------------------------------------------
# The oracle below is written from the URL standard (https://url.spec.whatwg.org/): the
# scheme lower-cased, a domain mapped by UTS #46 (the idna package) to lower-case punycode,
# an IPv6 address compressed (longest run of two or more zero pieces, the first on a tie:
# what ipaddress does), the default port dropped, path, query and fragment gone.

_DEFAULT = {"http": 80, "https": 443}
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_INTERNATIONAL = "üéñöçÜÉДдомαβ日本"


def _mixed_case(draw: st.DrawFn, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.upper() if flip else c for c, flip in zip(text, flips, strict=True))


@st.composite
def _typed_origins(draw: st.DrawFn) -> tuple[str, str]:
    """(what a person might type, the origin a browser sends for it)."""
    scheme = draw(st.sampled_from(["http", "https"]))
    kind = draw(st.sampled_from(["ascii", "international", "ipv4", "ipv6"]))
    if kind in ("ascii", "international"):
        alphabet = _LETTERS + ("" if kind == "ascii" else _INTERNATIONAL)
        label = st.tuples(
            st.sampled_from(alphabet),
            st.text(alphabet + "0123456789-", max_size=8).filter(lambda s: not s.endswith("-")),
        ).map("".join)
        # (idna enforces CheckHyphens, which the URL standard does not: keep out of its way)
        label = label.filter(lambda s: s[2:4] != "--")
        labels = draw(st.lists(label, min_size=1, max_size=3))
        typed_host = ".".join(labels)
        host = ".".join(idna.encode(x, uts46=True).decode("ascii") for x in labels)
        host = host.lower()
    elif kind == "ipv4":
        address = ipaddress.IPv4Address(draw(st.integers(0, 2**32 - 1)))
        typed_host = host = str(address)
    else:
        address6 = ipaddress.IPv6Address(draw(st.integers(0, 2**128 - 1)))
        spelt = draw(st.sampled_from([address6.compressed, address6.exploded]))
        typed_host = f"[{_mixed_case(draw, spelt)}]"
        host = f"[{address6.compressed}]"
    port = draw(st.sampled_from([None, _DEFAULT[scheme], "random"]))
    if port == "random":
        port = draw(st.integers(1, 65535))
    zeros = draw(st.sampled_from(["", "0"])) if port is not None else ""
    typed_port = "" if port is None else f":{zeros}{port}"
    tail = draw(st.sampled_from(["", "/", "/app/", "/app/index.html", "?x=1", "/?x=1#top", "#y"]))
    typed = f"{_mixed_case(draw, scheme)}://{typed_host}{typed_port}{tail}"
    sent = f"{scheme}://{host}" + ("" if port in (None, _DEFAULT[scheme]) else f":{port}")
    return typed, sent


@settings(max_examples=400, deadline=None)
@given(_typed_origins())
def test_what_we_send_is_the_browsers_serialization(case: tuple[str, str]) -> None:
    typed, sent = case
    assert serialize_origin(typed) == sent
    request = build_request({"url": "https://api.example.test/x", "origin": typed}, **_NAMES)
    assert request.origin == sent
    assert request.typed_origin == (None if typed == sent else typed)
    # what goes on the wire: the Origin header of every exchange the engine sends
    allow = (("Access-Control-Allow-Origin", sent), ("Access-Control-Allow-Methods", "PUT"))
    route = Route("*", None, 200, allow)
    verdict = judge(Scenario("typed", replace(request, method="PUT"), (route,)))
    assert verdict.allowed
    origins = {
        value for e in verdict.exchanges for value in header_values(e.request.headers, "Origin")
    }
    assert origins == {sent}
    note = f"Origin sent as `{sent}` (you typed `{typed}`): browsers "
    assert [n.startswith(note) for n in verdict.notes] == ([] if typed == sent else [True])


_NAMES = {"names": {}, "header_name": str}


@pytest.mark.parametrize(
    ("typed", "sent", "why"),
    [
        ("http://localhost:5173/", "http://localhost:5173", "never send a path or a trailing"),
        ("HTTP://LOCALHOST:5173", "http://localhost:5173", "scheme and host in lower case"),
        ("https://app.example.com:443", "https://app.example.com", "drop the default port"),
        ("http://localhost:5173/app/?x#y", "http://localhost:5173", "a page's origin is"),
        ("http://Bücher.example", "http://xn--bcher-kva.example", "punycode"),
        ("http://[0:0:0:0:0:0:0:1]:80/", "http://[::1]", "IPv6 compressed"),
    ],
)
def test_the_note_says_why_the_origin_sent_differs(typed: str, sent: str, why: str) -> None:
    assert serialize_origin(typed) == sent
    note = origin_note(typed, sent)
    assert note is not None
    assert note.startswith(f"Origin sent as `{sent}` (you typed `{typed}`): browsers ")
    assert why in note
    assert origin_note(sent, sent) is None


_URLISH = st.text(
    st.sampled_from(list("hHtTpPsS:/\\[]@.%?# \t09aAxX-ßİü\u3002\uff0e")), max_size=30
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=30), _URLISH.map("http://".__add__), _URLISH))
def test_any_text_is_an_origin_or_a_value_error_never_a_crash(text: str) -> None:
    # Allow-Origin values come from servers: whatever they hold, the headline and fix read it
    try:
        origin = serialize_origin(text)
    except ValueError:
        return
    route = Route("*", None, 200, (("Access-Control-Allow-Origin", text.strip(" \t")),))
    request = Request("https://api.example.test/x", origin=origin)
    verdict = judge(Scenario("any", request, (route,)))
    assert headline(verdict).title
    note = origin_note(text, origin)
    assert (note is None) == (text == origin)
