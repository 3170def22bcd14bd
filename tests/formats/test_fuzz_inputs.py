"""Every command's file inputs, fuzzed: whatever a file holds, the command exits 0, 1, 2 or 3,
says what is wrong in one line on stderr when it exits 2, and never crashes (exit 70, a
traceback).

Inputs are valid examples mutated: a wrong type at any JSON path, a member dropped or renamed,
deep nesting, integers past Python's limit, NaN, lone surrogates, BOMs, truncation, random
bytes. Most run in-process through ``cli.main`` (the code path ``main.py`` takes for these
commands), with an encoding-strict stdout as a terminal has; a smaller set runs the real
``main.py`` in a subprocess. Examples are derandomized, so a failure reproduces.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corsinspector import cli
from corsinspector.formats.scenario import scenario_from_dict
from corsinspector.wire.server import ScenarioServer, serve_in_thread
from tests.formats.samples import CHROME_BASH, CHROME_CMD, FIREFOX, HAR, POSTMAN

ROOT = Path(__file__).resolve().parents[2]
APP = "https://app.example.test"
API = "https://api.example.test"
SCENARIO = (ROOT / "resources" / "gallery" / "preflight-put-json.json").read_text()
_SERVER = {
    "format": "cors-scenario/1",
    "request": {"url": f"{API}/ok"},
    "server": [
        {"method": "GET", "url": f"{API}/ok", "status": 200, "headers": [["ACAO", "x"]]},
        {
            "method": "GET",
            "url": f"{API}/cors",
            "status": 200,
            "headers": [["Access-Control-Allow-Origin", APP]],
        },
    ],
}
#: A mutated value stands here in the JSON until the text is written, then becomes raw text.
_MARK = "\x00raw\x00"
_RAW = [
    "9" * 5000,
    "-" + "9" * 4301,
    "1e999",
    "NaN",
    "-Infinity",
    "[" * 50_000 + "]" * 50_000,
    "[" * 101 + "]" * 101,
    '{"a":' * 99 + "1" + "}" * 99,
    '"\\udc80"',
    '"x\\ud800"',
    '"\\udbff\\udfff"',
    '"a\\u0000b\\r\\nc"',
]
_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["\udc80", "a\ud800b", "{{x}}", "", "GET", "http://[::1", "null"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)
#: Strings that have broken URL, origin, header and name handling, for any string in a file.
_NASTY = [
    "http://[::1",
    "http://[::1/x",
    "http://h:99999/",
    "http://h:-1/",
    "http://",
    "https://user:pw@h.test/",
    "javascript:alert(1)",
    "data:,x",
    "//h.test/x",
    "http://h.test/\x00",
    "http://h\u3002test/",
    "http://xn--/",
    "http://a..b/",
    "HTTP://H.TEST:80",
    "null",
    "*",
    "{{",
    "{{x}}",
    "{{base_url}}{{base_url}}",
    "\r\n",
    "\x00",
    "\u2028",
    "a" * 10_000,
    "",
    " ",
    "\udc80",
    "é",
]
#: Text that breaks the shell and cmd quoting, escapes and curl options in interesting ways.
_CURL_BITS = [
    "'",
    '"',
    "\\",
    "^",
    '^"',
    "$'",
    "$'\\ud800'",
    "$'\\U7fffffff'",
    "$'\\x'",
    "$'\\c",
    "\x00",
    "\r\n",
    " -H ",
    " -H 'x",
    " -X ''",
    " --data-raw ",
    " -u :",
    " -b ",
    " curl ",
    " & ",
    " ; ",
    "%",
    "\ufeff",
    "\udc80",
]
_BOMS = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value inside ``value`` (not ``value`` itself)."""
    if isinstance(value, dict | list):
        for key, child in value.items() if isinstance(value, dict) else enumerate(value):
            yield (*prefix, key)
            yield from _paths(child, (*prefix, key))


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _mutate_json(draw: st.DrawFn, text: str) -> bytes:
    data = json.loads(text)
    paths = list(_paths(data))
    for _ in range(draw(st.integers(1, 2))):
        op = draw(
            st.sampled_from(["retype"] * 3 + ["text"] * 3 + ["raw", "drop", "rename", "root"])
        )
        if op == "root" or not paths:
            data = draw(_VALUES | st.just(_MARK))
            paths = []
            continue
        strings = [p for p in paths if isinstance(_at(data, p), str)]
        path = draw(st.sampled_from(strings if op == "text" and strings else paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        if op == "drop":
            del parent[key]
            paths = list(_paths(data))
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["\udc80", "", "x" * 300]))] = parent.pop(key)
            paths = list(_paths(data))
        elif op == "text":
            parent[key] = draw(st.sampled_from(_NASTY))
        else:
            parent[key] = _MARK if op == "raw" else draw(_VALUES)
            paths = list(_paths(data))
    written = json.dumps(data).replace(json.dumps(_MARK), draw(st.sampled_from(_RAW)), 1)
    return _mutate_bytes(draw, written.encode("utf-8"), light=True)


def _mutate_bytes(draw: st.DrawFn, raw: bytes, *, light: bool = False) -> bytes:
    """Byte-level damage: a BOM, truncation, bytes overwritten (often none when ``light``)."""
    op = draw(st.sampled_from(["none"] * (6 if light else 0) + ["bom", "cut", "bytes"]))
    if op == "bom":
        return draw(st.sampled_from(_BOMS)) + raw
    if op == "cut":
        return raw[: draw(st.integers(0, len(raw)))]
    if op == "bytes":
        out = bytearray(raw)
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, max(len(out) - 1, 0)))
            out[at:at] = draw(st.binary(min_size=1, max_size=3))
        return bytes(out)
    return raw


def _mutate_text(draw: st.DrawFn, text: str) -> bytes:
    pieces = list(text)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(pieces)))
        bit = draw(st.sampled_from(_CURL_BITS + _NASTY) | st.text(max_size=4))
        if draw(st.booleans()) and at < len(pieces):
            pieces[at] = bit
        else:
            pieces.insert(at, bit)
    raw = "".join(pieces).encode("utf-8", "surrogatepass")  # a surrogate: not UTF-8 either
    return _mutate_bytes(draw, raw, light=True)


@st.composite
def mutated_json(draw: st.DrawFn, seed: str) -> bytes:
    return _mutate_json(draw, seed)


@st.composite
def mutated_text(draw: st.DrawFn, seed: str) -> bytes:
    return _mutate_text(draw, seed)


# --- running a command ------------------------------------------------------------------


def run_in_process(argv: list[str]) -> tuple[int, str]:
    """``cli.main(argv)`` with a stdout that refuses what a UTF-8 terminal cannot print;
    returns the exit status and stderr."""
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace")
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            status = cli.main(argv)
        except SystemExit as exc:  # argparse
            status = exc.code if isinstance(exc.code, int) else 2
        stderr.flush()
    return status, err.getvalue().decode("utf-8")


def run_main_py(argv: list[str]) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *argv],
        capture_output=True,
        timeout=60,
        check=False,
    )
    return result.returncode, result.stderr.decode("utf-8", "backslashreplace")


def assert_clean(argv: list[str], status: int, stderr: str) -> None:
    """Exit 0/1/2/3; exit 2 says why in one line; no crash, no traceback."""
    assert status in (0, 1, 2, 3), f"{argv}: exit {status}: {stderr}"
    assert "Traceback" not in stderr, f"{argv}: {stderr}"
    assert "internal error" not in stderr, f"{argv}: {stderr}"
    if status == 2:
        assert len(stderr.splitlines()) == 1, f"{argv}: {stderr!r}"
        assert stderr.startswith("error: "), f"{argv}: {stderr!r}"


# --- the inputs -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[ScenarioServer]:
    with serve_in_thread(scenario_from_dict(_SERVER)) as live:
        yield live


def _collection() -> str:
    def item(name: str, path: str, expect: dict[str, Any], headers: list[Any]) -> dict[str, Any]:
        request = {
            "url": "{{base_url}}" + path,
            "method": "GET",
            "origin": "{{origin}}",
            "headers": headers,
        }
        return {"name": name, "request": request, "expect": expect, "notes": "n"}

    return json.dumps(
        {
            "format": "cors-collection/1",
            "name": "fuzz",
            "folders": [
                {"name": "api", "items": [item("ok", "/cors", {"allowed": True}, [])]},
                {
                    "name": "more",
                    "items": [item("bare", "/ok", {"allowed": False}, [["X-Trace", "{{trace}}"]])],
                },
            ],
        }
    )


def _environments(server: ScenarioServer) -> str:
    variables = {
        "base_url": server.base_url,
        "origin": APP,
        "trace": {"value": "t0k3n-fuzz-secret", "secret": True},
    }
    return json.dumps({"format": "cors-environments/1", "environments": {"dev": variables}})


class Files:
    """A fresh folder holding the valid files; ``write`` puts a mutated one beside them."""

    def __init__(self, server: ScenarioServer) -> None:
        self._dir = tempfile.TemporaryDirectory()
        self.dir = Path(self._dir.name)
        self.collection = self.dir / "good.json"
        self.collection.write_text(_collection())
        self.envs = self.dir / "good.env.json"
        self.envs.write_text(_environments(server))
        self.har = self.dir / "good.har"
        self.har.write_text(HAR)

    def write(self, name: str, raw: bytes) -> str:
        path = self.dir / name
        path.write_bytes(raw)
        return str(path)

    def close(self) -> None:
        self._dir.cleanup()


@contextlib.contextmanager
def files(server: ScenarioServer) -> Iterator[Files]:
    made = Files(server)
    try:
        yield made
    finally:
        made.close()


def _commands(kind: str, path: str, made: Files) -> list[list[str]]:
    """The commands that read a file of ``kind`` at ``path``."""
    out = str(made.dir / "out.json")
    live = ["--timeout", "5"]
    report, junit = str(made.dir / "report.json"), str(made.dir / "junit.xml")
    if kind == "import":
        return [["import", path, "-o", out]]
    if kind == "scenario":
        return [["simulate", path], ["simulate", path, "--json"], ["import", path, "-o", out]]
    if kind == "collection":
        envs = ["--env", "dev", "--envs", str(made.envs)]
        return [
            ["run", path, *envs, *live, "--json", report, "--junit", junit],
            ["export", path, "--to", "curl", *envs],
            ["export", path, "--to", "har", *envs, "-o", report],
            ["import", path, "-o", out],
        ]
    if kind == "environments":
        envs = ["--env", "dev", "--envs", path]
        return [
            ["run", str(made.collection), *envs, *live, "--json", report, "--junit", junit],
            ["export", str(made.collection), "--to", "curl", *envs],
            ["export", str(made.collection), "--to", "har", *envs, "-o", report],
        ]
    assert kind == "output", kind  # an existing -o collection
    return [["import", str(made.har), "-o", path]]


_FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_SEEDS: dict[str, tuple[str, str, Callable[[str], st.SearchStrategy[bytes]]]] = {
    # name: (seed text, kind of command that reads it, mutation)
    "har": (HAR, "import", mutated_json),
    "postman": (POSTMAN, "import", mutated_json),
    "curl-bash": (CHROME_BASH + "\n" + FIREFOX, "import", mutated_text),
    "curl-cmd": (CHROME_CMD, "import", mutated_text),
    "scenario": (SCENARIO, "scenario", mutated_json),
    "collection": (_collection(), "collection", mutated_json),
    "output": (_collection(), "output", mutated_json),
}


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(_SEEDS))
def test_no_file_crashes_a_command(name: str, server: ScenarioServer) -> None:
    seed, kind, mutation = _SEEDS[name]

    @_FUZZ
    @given(raw=mutation(seed))
    def fuzz(raw: bytes) -> None:
        with files(server) as made:
            path = made.write(f"input.{name}", raw)
            for argv in _commands(kind, path, made):
                assert_clean(argv, *run_in_process(argv))

    fuzz()


@pytest.mark.integration
def test_no_environments_file_crashes_run_or_export(server: ScenarioServer) -> None:
    @_FUZZ
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        with files(server) as made:
            raw = data.draw(mutated_json(_environments(server)))
            path = made.write("input.env.json", raw)
            for argv in _commands("environments", path, made):
                assert_clean(argv, *run_in_process(argv))

    fuzz()


def test_the_valid_seeds_are_accepted(server: ScenarioServer) -> None:
    """The mutations start from files every command takes (else the fuzz proves little)."""
    with files(server) as made:
        for name, (seed, kind, _) in _SEEDS.items():
            path = made.write(f"seed.{name}", seed.encode("utf-8"))
            for argv in _commands(kind, path, made):
                status, stderr = run_in_process(argv)
                assert status == 0, f"{argv}: {stderr}"
        for argv in _commands("environments", str(made.envs), made):
            assert run_in_process(argv)[0] == 0


# --- the real main.py -------------------------------------------------------------------

#: The crashes the issue lists, and a few more of their kind, each through the real main.py.
_CASES: list[tuple[str, str, bytes]] = [
    ("har-surrogate", "import", HAR.replace('"PUT"', '"\\udc80"', 1).encode()),
    ("postman-surrogate-key", "import", POSTMAN.replace('"name"', '"\\ud800"', 1).encode()),
    ("folders-number", "collection", b'{"format": "cors-collection/1", "folders": 5}'),
    (
        "items-number",
        "collection",
        b'{"format": "cors-collection/1", "folders": [{"name": "f", "items": 7}]}',
    ),
    ("deep-scenario", "scenario", b"[" * 50_000 + b"]" * 50_000),
    ("deep-collection", "collection", b"[" * 50_000 + b"]" * 50_000),
    ("deep-environments", "environments", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    ("deep-output", "output", b"[" * 50_000 + b"]" * 50_000),
    ("bigint-scenario", "scenario", SCENARIO.replace("204", "9" * 5000, 1).encode()),
    (
        "bigint-collection",
        "collection",
        b'{"format": "cors-collection/1", "n": ' + b"9" * 5000 + b"}",
    ),
    ("bigint-environments", "environments", b'{"x": ' + b"9" * 5000 + b"}"),
    ("bigint-output", "output", b'{"format": "cors-collection/1", "n": -' + b"9" * 5000 + b"}"),
    ("environments-list", "environments", b'{"format": "cors-environments/1", "environments": []}'),
    ("curl-surrogate", "import", b"curl 'https://api.example.test/' -H $'X-A: \\ud800'"),
]


@pytest.mark.integration
@pytest.mark.parametrize(("name", "kind", "raw"), _CASES, ids=[c[0] for c in _CASES])
def test_main_py_turns_each_bad_file_into_one_line(
    name: str, kind: str, raw: bytes, server: ScenarioServer
) -> None:
    with files(server) as made:
        path = made.write(f"case.{name}", raw)
        argv = _commands(kind, path, made)[0]
        status, stderr = run_main_py(argv)
        assert_clean(argv, status, stderr)
        assert status == 2, f"{argv}: {stderr}"
        assert path in stderr or str(made.har) in stderr, stderr


_URL = "http://127.0.0.1:9/"
#: Flags a shell passes as bytes that are not UTF-8 reach Python as lone surrogates.
_NOT_UTF8 = "\udcff"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("argv", "where"),
    [
        (["check", _URL, "--origin", APP, "--proxy", "not a url"], "--proxy"),
        (["check", _URL, "--origin", APP, "--proxy", "ftp://x"], "--proxy"),
        (["check", _URL, "--origin", APP, "--proxy", "http://h:99999"], "--proxy"),
        (["check", _URL, "--origin", APP, "--timeout", "nan"], "--timeout"),
        (["check", _URL, "--origin", APP, "--timeout", "inf"], "--timeout"),
        (["check", _URL, "--origin", APP, "--timeout", "-1"], "--timeout"),
        (["check", _URL, "--origin", APP, "--timeout", "soon"], "argument --timeout"),
        (["run", "c.json", "--timeout", "0"], "--timeout"),
        (["run", "c.json", "--timeout", "-1"], "--timeout"),
        (["check", _URL + _NOT_UTF8, "--origin", APP], "URL"),
        (["check", _URL, "--origin", APP, "-H", f"X-A: {_NOT_UTF8}"], "-H 'X-A: \\udcff'"),
        (["check", _URL, "--origin", APP, "-X", "PUT", "--data", _NOT_UTF8], "--data"),
        (["check", _URL, "--origin", APP, "--http2", "--cacert", "/nonexistent"], "--cacert"),
        (["check", _URL, "--origin", APP, "--cacert", __file__], "--cacert"),
    ],
    ids=lambda value: " ".join(value[-2:]) if isinstance(value, list) else "",
)
def test_main_py_refuses_a_bad_flag_in_one_line_naming_it(argv: list[str], where: str) -> None:
    status, stderr = run_main_py(argv)
    assert_clean(argv, status, stderr)
    assert status == 2
    assert stderr.startswith((f"error: {where}:", f"error: {where} ")), stderr


@pytest.mark.integration
def test_main_py_imports_a_file_whose_name_is_not_utf8(tmp_path: Path) -> None:
    source = tmp_path / f"page{_NOT_UTF8}.json"
    source.write_text(SCENARIO)
    output = tmp_path / f"out{_NOT_UTF8}.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "import", str(source), "-o", str(output)],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(b"out\\udcff.json\n")  # the name printed escaped
    saved = json.loads(output.read_text(encoding="utf-8"))
    assert (saved["name"], saved["folders"][0]["name"]) == ("out\ufffd", "page\ufffd")


@pytest.mark.integration
def test_main_py_refuses_a_socks_proxy_without_socksio() -> None:
    import importlib.util

    argv = ["check", "http://127.0.0.1:9/", "--origin", APP, "--proxy", "socks5://127.0.0.1:9"]
    status, stderr = run_main_py(argv)
    assert_clean(argv, status, stderr)
    if importlib.util.find_spec("socksio") is None:
        assert (status, stderr.startswith("error: --proxy: a SOCKS proxy needs")) == (2, True)
    else:  # with the extra, the proxy is used: nothing listens there
        assert status == 3


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(_SEEDS))
def test_main_py_on_mutated_files(name: str, server: ScenarioServer) -> None:
    """A few fuzzed files of each kind through the real main.py (the rest run in-process)."""
    seed, kind, mutation = _SEEDS[name]

    @settings(_FUZZ, max_examples=2)
    @given(raw=mutation(seed))
    def fuzz(raw: bytes) -> None:
        with files(server) as made:
            path = made.write(f"input.{name}", raw)
            argv = _commands(kind, path, made)[0]
            assert_clean(argv, *run_main_py(argv))

    fuzz()


@pytest.mark.integration
def test_main_py_export_warns_of_a_short_secret_only_when_it_succeeds(
    server: ScenarioServer,
) -> None:
    """The short-secret warning is a second stderr line: it comes only after the export."""
    with files(server) as made:
        envs = json.loads(_environments(server))
        envs["environments"]["dev"]["trace"]["value"] = "t0k"
        path = made.write("short.env.json", json.dumps(envs).encode())
        argv = ["export", str(made.collection), "--to", "curl", "--env", "dev", "--envs", path]
        status, stderr = run_main_py(argv)
        assert (status, stderr.startswith("warning: secret {{trace}} is shorter")) == (0, True)
        bad = json.loads(_collection())
        del bad["folders"][1]["items"][0]["request"]["url"]
        made.collection.write_text(json.dumps(bad))
        status, stderr = run_main_py(argv)
        assert_clean(argv, status, stderr)
        assert status == 2
        assert stderr.startswith("error: more/bare: request.url: is missing"), stderr
