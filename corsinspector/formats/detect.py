"""Which format a file is, and the one entry that imports any of them: cURL, HAR, Postman,
a scenario or a collection, each into folders of collection items."""

from __future__ import annotations

import os
import re
from pathlib import Path

from corsinspector.errors import InputError
from corsinspector.formats.collection import Folder, Item, load_collection
from corsinspector.formats.curl import import_curl
from corsinspector.formats.har import import_har
from corsinspector.formats.json import name_of, parse_json
from corsinspector.formats.postman import import_postman
from corsinspector.formats.scenario import scenario_from_dict, scenario_to_dict

__all__ = ["detect_format", "import_file"]


def detect_format(text: str) -> str:
    """``"curl"``, ``"har"``, ``"postman"``, ``"scenario"`` or ``"collection"``;
    InputError when the text is none of these."""
    stripped = text.removeprefix("\ufeff").lstrip()
    if stripped.startswith(("{", "[")):
        data = parse_json(stripped, "<input>")
        if isinstance(data, dict):
            fmt = data.get("format")
            if fmt == "cors-scenario/1":
                return "scenario"
            if fmt == "cors-collection/1":
                return "collection"
            log = data.get("log")
            if isinstance(log, dict) and "entries" in log:
                return "har"
            info = data.get("info")
            if isinstance(info, dict) and (
                "postman" in str(info.get("schema", "")) or isinstance(data.get("item"), list)
            ):
                return "postman"
        raise InputError("<input>", "JSON of an unknown kind (not HAR, Postman or ours)")
    for line in stripped.splitlines():
        words = line.strip().split()
        if not words or words[0].startswith("#"):
            continue
        if re.fullmatch(r"(?:.*[/\\])?curl(?:\.exe)?", words[0], re.IGNORECASE):
            return "curl"
        break
    raise InputError("<input>", "not a curl command, HAR, Postman collection or our JSON")


def import_file(path: str | os.PathLike[str]) -> list[Folder]:
    """Read ``path``, detect its format and import it: curl and HAR give one folder named
    after the file, Postman its folders, a scenario one item, a collection its folders."""
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except OSError as exc:
        raise InputError(source, exc.strerror or str(exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(source, "is not UTF-8 text") from None
    try:
        kind = detect_format(text)
    except InputError as exc:  # where: "<input>", with the line or field when JSON
        raise InputError(exc.where.replace("<input>", source, 1), exc.message) from None
    if kind == "curl":
        return [Folder(name_of(path), tuple(import_curl(text, source)))]
    if kind == "har":
        return [Folder(name_of(path), tuple(import_har(text, source)))]
    if kind == "postman":
        return import_postman(text, source)
    if kind == "collection":
        return list(load_collection(path).folders)
    scenario = scenario_from_dict(parse_json(text, source), source)
    request = scenario_to_dict(scenario)["request"]
    return [Folder(name_of(path), (Item(scenario.name, request),))]
