"""Every importer, on any input, imports it or raises an InputError naming the source."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corsinspector.errors import InputError
from corsinspector.formats.curl import import_curl
from corsinspector.formats.detect import detect_format
from corsinspector.formats.har import import_har
from corsinspector.formats.postman import import_postman
from tests.formats.samples import CHROME_BASH, CHROME_CMD, FIREFOX, HAR, POSTMAN

EXAMPLES = [
    (import_curl, CHROME_BASH),
    (import_curl, FIREFOX),
    (import_curl, CHROME_CMD),
    (import_har, HAR),
    (import_postman, POSTMAN),
]
IMPORTERS = [import_curl, import_har, import_postman]
Importer = Callable[[str, str], object]


def _imports_or_names_source(importer: Importer, text: str) -> None:
    """The importer either imports ``text`` or raises an InputError naming the source."""
    error: InputError | None = None
    try:
        importer(text, "t")
    except InputError as exc:
        error = exc
    assert error is None or str(error).startswith("t")


@pytest.mark.parametrize(("importer", "text"), EXAMPLES)
@given(cut=st.integers(min_value=0, max_value=10_000))
@settings(max_examples=150, deadline=None)
def test_truncations_import_or_raise_input_error(importer: Importer, text: str, cut: int) -> None:
    _imports_or_names_source(importer, text[: cut % (len(text) + 1)])


@pytest.mark.parametrize(("importer", "text"), EXAMPLES)
@given(data=st.data())
@settings(max_examples=150, deadline=None)
def test_mutations_import_or_raise_input_error(
    importer: Importer, text: str, data: st.DataObject
) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    width = data.draw(st.integers(min_value=0, max_value=8))
    insert = data.draw(st.text(alphabet="'\"\\$^&;\n\r :{}[],x0-", max_size=6))
    _imports_or_names_source(importer, text[:at] + insert + text[at + width :])


@pytest.mark.parametrize("importer", IMPORTERS)
@given(text=st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_random_text_imports_or_raises_input_error(importer: Importer, text: str) -> None:
    _imports_or_names_source(importer, text)
    with contextlib.suppress(InputError):
        detect_format(text)


_KEYS = (
    *("log", "entries", "request", "response", "method", "url", "headers", "name", "value"),
    *("info", "schema", "item", "header", "key", "body", "mode", "raw", "postData", "text"),
    *("status", "variable", "disabled", "auth", "type", "options", "urlencoded", "cookies"),
)


def _json_values() -> st.SearchStrategy[object]:
    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=10)
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(list(_KEYS)),
                inner,
                max_size=4,
            )
        ),
        max_leaves=20,
    )


@pytest.mark.parametrize("importer", [import_har, import_postman])
@given(value=_json_values())
@settings(max_examples=300, deadline=None)
def test_random_json_imports_or_raises_input_error(importer: Importer, value: object) -> None:
    for text in (json.dumps(value), json.dumps({"log": {"entries": [value]}})):
        _imports_or_names_source(importer, text)
