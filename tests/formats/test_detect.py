"""Which format a file is, and importing any file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corsinspector.errors import InputError
from corsinspector.formats.detect import detect_format, import_file
from tests.formats.samples import CHROME_BASH, CHROME_CMD, FIREFOX, HAR, POSTMAN


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (CHROME_BASH, "curl"),
        (FIREFOX, "curl"),
        (CHROME_CMD, "curl"),
        (HAR, "har"),
        ("\ufeff" + HAR, "har"),
        (POSTMAN, "postman"),
        ('{"format": "cors-scenario/1", "request": {}}', "scenario"),
        ('{"format": "cors-collection/1", "folders": []}', "collection"),
    ],
)
def test_detect_format(text: str, kind: str) -> None:
    assert detect_format(text) == kind


@pytest.mark.parametrize("text", ["", "hello", "{", '{"a": 1}', "[]"])
def test_detect_format_unknown(text: str) -> None:
    with pytest.raises(InputError):
        detect_format(text)


def test_import_file(tmp_path: Path) -> None:
    (tmp_path / "capture.har").write_text(HAR, encoding="utf-8")
    (tmp_path / "paste.sh").write_text(CHROME_BASH, encoding="utf-8")
    (tmp_path / "shop.json").write_text(POSTMAN, encoding="utf-8")
    (har,) = import_file(tmp_path / "capture.har")
    assert har.name == "capture"
    assert [item.name for item in har.items] == ["PUT /items/1", "GET /public"]
    (curl,) = import_file(tmp_path / "paste.sh")
    assert [item.name for item in curl.items] == ["PUT /items/1", "GET /search"]
    assert [folder.name for folder in import_file(tmp_path / "shop.json")] == [
        "Shop API",
        "Items",
        "Items/Admin",
    ]
    (tmp_path / "x.txt").write_text("nothing", encoding="utf-8")
    with pytest.raises(InputError, match=r"x\.txt: "):
        import_file(tmp_path / "x.txt")
    with pytest.raises(InputError, match="no such file"):
        import_file(tmp_path / "missing.har")


def test_import_file_scenario(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "format": "cors-scenario/1",
                "name": "one",
                "request": {"url": "https://api.example.test/", "method": "GET"},
            }
        ),
        encoding="utf-8",
    )
    (folder,) = import_file(path)
    assert folder.name == "s"
    assert folder.items[0].name == "one"
    assert folder.items[0].request["url"] == "https://api.example.test/"
