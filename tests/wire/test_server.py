"""The scenario server on real loopback sockets: answers byte for byte, logs as received."""

from __future__ import annotations

import socket

import httpx
import pytest

from corsinspector.model import Request, Route, Scenario
from corsinspector.wire.server import ScenarioServer, ServerThread, format_logged_request

pytestmark = pytest.mark.integration

API = "https://api.example.test"
OTHER = "https://other.example.test"


def _scenario() -> Scenario:
    return Scenario(
        "s",
        Request(f"{API}/items/1"),
        (
            Route(
                "OPTIONS",
                f"{API}/items/1",
                204,
                (
                    ("access-control-allow-origin", "https://app.example.test"),
                    ("Access-Control-Allow-Origin", "*"),
                    ("X-Odd", "  padded\tvalue  "),
                    ("X-Empty", ""),
                ),
            ),
            Route("GET", f"{API}/items/1?page=2", 200, (("X-Query", "yes"),), body="two"),
            Route("GET", f"{API}/items/1", 200, (("X-Plain", "yes"),), body="héllo"),
            Route("GET", f"{API}/moved", 302, (("Location", f"{OTHER}/there"),)),
            Route("GET", f"{OTHER}/there", 200, (("X-Where", "other"),), body="there"),
        ),
    )


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_headers_go_out_exactly_as_written() -> None:
    with ServerThread(ScenarioServer(_scenario())) as server:
        raw = _raw(
            server.port,
            b"OPTIONS /items/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
    assert raw == (
        b"HTTP/1.1 204 No Content\r\n"
        b"access-control-allow-origin: https://app.example.test\r\n"
        b"Access-Control-Allow-Origin: *\r\n"
        b"X-Odd:   padded\tvalue  \r\n"
        b"X-Empty: \r\n"
        b"\r\n"
    )


def test_routes_match_by_method_then_path_and_query() -> None:
    with ServerThread(ScenarioServer(_scenario())) as server:
        base = server.base_url
        with httpx.Client(base_url=base) as client:
            plain = client.get("/items/1")
            query = client.get("/items/1?page=2")
            other_method = client.put("/items/1")
            missing = client.get("/nowhere")
    assert (plain.status_code, plain.headers["x-plain"], plain.content) == (
        200,
        "yes",
        "héllo".encode(),
    )
    assert plain.headers["content-length"] == str(len("héllo".encode()))
    assert (query.status_code, query.text) == (200, "two")
    assert other_method.status_code == 404
    assert (missing.status_code, missing.headers.multi_items()) == (
        404,
        [("content-length", "0")],
    )


def test_every_request_is_logged_with_headers_in_order_as_received() -> None:
    with ServerThread(ScenarioServer(_scenario())) as server:
        _raw(
            server.port,
            b"GET /items/1 HTTP/1.1\r\nHost: h\r\nX-B: 2\r\nx-a: 1\r\nX-B: 3\r\n"
            b"Connection: close\r\n\r\n",
        )
        log = server.log
    assert len(log) == 1
    assert (log[0].method, log[0].target, log[0].status) == ("GET", "/items/1", 200)
    assert log[0].headers == (
        ("Host", "h"),
        ("X-B", "2"),
        ("x-a", "1"),
        ("X-B", "3"),
        ("Connection", "close"),
    )
    assert format_logged_request(log[0]).splitlines()[:3] == [
        "GET /items/1 HTTP/1.1 -> 200",
        "  Host: h",
        "  X-B: 2",
    ]


def test_keep_alive_serves_several_requests_on_one_connection() -> None:
    with ServerThread(ScenarioServer(_scenario())) as server:
        with httpx.Client(base_url=server.base_url) as client:
            statuses = [client.get("/items/1").status_code for _ in range(5)]
        assert statuses == [200] * 5
        assert len(server.log) == 5


def test_one_listener_per_origin_keeps_origins_apart_and_maps_locations() -> None:
    server = ScenarioServer(_scenario(), origins=[API, OTHER])
    with ServerThread(server):
        api, other = server.map.wire[API], server.map.wire[OTHER]
        assert api != other
        with httpx.Client() as client:
            moved = client.get(f"{api}/moved")
            there_on_api = client.get(f"{api}/there")
            there = client.get(moved.headers["location"])
        log = server.log
    assert moved.status_code == 302
    assert moved.headers["location"] == f"{other}/there"
    assert there_on_api.status_code == 404  # same path, other origin: no route
    assert (there.status_code, there.text) == (200, "there")
    assert [item.url for item in log] == [f"{API}/moved", f"{API}/there", f"{OTHER}/there"]


def test_a_body_is_read_and_logged() -> None:
    with ServerThread(ScenarioServer(_scenario())) as server:
        with httpx.Client(base_url=server.base_url) as client:
            client.post("/items/1", content=b'{"a": 1}')
        assert server.log[0].body == b'{"a": 1}'


def test_a_malformed_request_gets_400_and_the_server_lives_on() -> None:
    with ServerThread(ScenarioServer(_scenario())) as server:
        raw = _raw(server.port, b"NONSENSE\r\n\r\n")
        assert raw.startswith(b"HTTP/1.1 400 ")
        with httpx.Client(base_url=server.base_url) as client:
            assert client.get("/items/1").status_code == 200
