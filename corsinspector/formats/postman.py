"""Postman v2.1 (and v2.0) collections in: folders become folders, collection variables are
substituted where known, auth blocks become headers."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote, quote_plus

from corsinspector.errors import InputError
from corsinspector.formats.collection import Folder, Item
from corsinspector.formats.importing import (
    check_header_at,
    first_header,
    item_name,
    page_origin,
    request_shape,
)
from corsinspector.formats.json import Field, check_method, name_of, parse_json

__all__ = ["import_postman"]


_POSTMAN_VARIABLE = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
_LANGUAGE_TYPES = {
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html",
    "text": "text/plain",
    "javascript": "application/javascript",
}
_BOUNDARY = "----CorsInspectorFormBoundary"


def _variables(node: Field, inherited: dict[str, str]) -> dict[str, str]:
    member = node.get("variable")
    if member is None:
        return inherited
    variables = dict(inherited)
    for variable in member.items():
        if not isinstance(variable.value, dict) or variable.value.get("disabled") is True:
            continue
        key = variable.get("key") or variable.get("id")
        if key is None:
            continue
        value = variable.get("value")
        if value is None:
            variables[key.text()] = ""
        elif isinstance(value.value, str | int | float | bool):
            text = value.value
            variables[key.text()] = (
                ("true" if text else "false") if isinstance(text, bool) else str(text)
            )
    return variables


def _substitute(text: str, variables: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        return variables.get(match.group(1), match.group(0))

    return _POSTMAN_VARIABLE.sub(one, text)


def _postman_url(url: Field) -> str:
    if isinstance(url.value, str):
        return url.value
    raw = url.get("raw")
    if raw is not None:
        return raw.text()
    protocol = url.opt_str("protocol", "https")
    host_json = url.get("host")
    host = ""
    if host_json is not None:
        host = (
            host_json.text()
            if isinstance(host_json.value, str)
            else ".".join(part.text() for part in host_json.items())
        )
    if not host:
        raise url.error("has neither raw nor host")
    port = url.get("port")
    path_json = url.get("path")
    path = ""
    if path_json is not None:
        path = (
            path_json.text()
            if isinstance(path_json.value, str)
            else "/".join(
                part.text() if isinstance(part.value, str) else part.opt_str("value")
                for part in path_json.items()
            )
        )
    result = f"{protocol}://{host}"
    if port is not None:
        result += f":{port.value}"
    if path:
        result += "/" + path.lstrip("/")
    query = url.get("query")
    if query is not None:
        pairs = []
        for param in query.items():
            if isinstance(param.value, dict) and param.value.get("disabled") is True:
                continue
            pairs.append(f"{param.opt_str('key')}={param.opt_str('value')}")
        if pairs:
            result += "?" + "&".join(pairs)
    return result


def _postman_headers(request: Field) -> list[tuple[str, str]]:
    member = request.get("header")
    if member is None:
        return []
    pairs: list[tuple[str, str]] = []
    if isinstance(member.value, str):
        for line in member.value.splitlines():
            if line.strip():
                name, _, value = line.partition(":")
                pairs.append((name.strip(), value.strip()))
        return pairs
    for header in member.items():
        if header.data.get("disabled") is True:
            continue
        pairs.append((header.need("key").text().strip(), header.opt_str("value")))
    return pairs


def _postman_auth(
    auth: Field | None, inherited: list[tuple[str, str]], variables: dict[str, str]
) -> list[tuple[str, str]]:
    """What an auth block adds: a header (bearer, basic, apikey), or for an apikey sent in
    the query, a parameter, its name marked by a leading ``?`` (no header name has one)."""
    if auth is None:
        return inherited
    kind = auth.opt_str("type")
    if kind == "inherit":
        return inherited
    attributes: dict[str, str] = {}
    member = auth.get(kind) if kind else None
    if member is not None and isinstance(member.value, list):
        for attribute in member.items():
            key = attribute.get("key")
            value = attribute.get("value")
            if key is not None and value is not None and isinstance(value.value, str):
                attributes[key.text()] = value.value
    elif member is not None and isinstance(member.value, dict):  # v2.0: a plain object
        attributes = {k: v for k, v in member.value.items() if isinstance(v, str)}
    if kind == "bearer":
        return [("Authorization", f"Bearer {attributes.get('token', '')}")]
    if kind == "basic":
        user = f"{attributes.get('username', '')}:{attributes.get('password', '')}"
        user = _substitute(user, variables)  # encoded with its values, as Postman sends it
        if "{{" in user:
            return [("Authorization", f"Basic {{{{base64:{user}}}}}")]
        return [("Authorization", "Basic " + base64.b64encode(user.encode()).decode("ascii"))]
    if kind == "apikey":
        mark = "?" if attributes.get("in") == "query" else ""
        return [(mark + attributes.get("key", "X-API-Key"), attributes.get("value", ""))]
    return []


def _postman_body(request: Field, headers: list[tuple[str, str]]) -> str | None:
    body = request.get("body")
    if body is None or not isinstance(body.value, dict) or body.value.get("disabled") is True:
        return None
    mode = body.opt_str("mode")
    has_type = first_header(headers, "content-type") is not None
    if mode == "raw":
        language = ""
        options = body.get("options")
        if options is not None and isinstance(options.value, dict):
            raw_options = options.get("raw")
            if raw_options is not None and isinstance(raw_options.value, dict):
                language = raw_options.opt_str("language")
        if not has_type and language in _LANGUAGE_TYPES:
            headers.append(("Content-Type", _LANGUAGE_TYPES[language]))
        return body.opt_str("raw")
    if mode == "urlencoded":
        fields = []
        for field in body.need("urlencoded").items():
            if isinstance(field.value, dict) and field.value.get("disabled") is True:
                continue
            fields.append(
                quote_plus(field.opt_str("key")) + "=" + quote_plus(field.opt_str("value"))
            )
        if not has_type:
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        return "&".join(fields)
    if mode == "formdata":
        parts = []
        for field in body.need("formdata").items():
            if isinstance(field.value, dict) and field.value.get("disabled") is True:
                continue
            if field.opt_str("type", "text") != "text":
                continue
            parts.append(
                f"--{_BOUNDARY}\r\nContent-Disposition: form-data; "
                f'name="{field.opt_str("key")}"\r\n\r\n{field.opt_str("value")}\r\n'
            )
        if not has_type:
            headers.append(("Content-Type", f"multipart/form-data; boundary={_BOUNDARY}"))
        return "".join(parts) + f"--{_BOUNDARY}--\r\n"
    if mode == "graphql":
        graphql = body.get("graphql")
        if graphql is None:
            return None
        if not has_type:
            headers.append(("Content-Type", "application/json"))
        query = graphql.opt_str("query")
        return json.dumps({"query": query})
    return None


def _postman_item(
    node: Field, name: str, variables: dict[str, str], auth: list[tuple[str, str]]
) -> Item:
    request = node.need("request")
    where = f"{request.source}: {request.path}"
    if isinstance(request.value, str):
        url_text, method, headers, body = request.value, "GET", [], None
        notes: list[str] = []
    else:
        url_text = _postman_url(request.need("url"))
        method = request.opt_str("method", "GET").upper()
        headers = _postman_headers(request)
        auth = _postman_auth(request.get("auth"), auth, variables)
        query = [(n[1:], v) for n, v in auth if n.startswith("?")]
        if query:
            url_text += ("&" if "?" in url_text else "?") + "&".join(
                quote(_substitute(f"{n}={v}", variables), safe="={}") for n, v in query
            )
        auth = [(n, v) for n, v in auth if not n.startswith("?")]
        if first_header(headers, "authorization") is None:
            headers = headers + auth
        body = _postman_body(request, headers)
        notes = []
    events = node.get("event")
    if events is not None and list(events.items()):
        notes.append("scripts not run (kept in Postman only)")
    url = _substitute(url_text, variables).strip()
    if url and "://" not in url and not url.startswith("{{"):
        url = "http://" + url  # as Postman sends it
    method = check_method(_substitute(method, variables), f"{where}.method")
    headers = [(_substitute(n, variables), _substitute(v, variables)) for n, v in headers]
    for index, (header_name, value) in enumerate(headers):
        check_header_at(header_name, value, f"{where}.header[{index}]")
    if body is not None:
        body = _substitute(body, variables)
    origin = page_origin(headers, where)
    cookies = first_header(headers, "cookie") is not None
    if cookies:
        notes.append("cookies were sent (credentials: include)")
    kept = [
        (n, v)
        for n, v in headers
        if n.lower() not in ("origin", "cookie", "host", "content-length")
    ]
    item_request = request_shape(
        url, method, origin, kept, "include" if cookies else "same-origin", body
    )
    return Item(name or item_name(method, url), item_request, notes="; ".join(notes))


def import_postman(text: str, source: str = "<postman>") -> list[Folder]:
    """Folders of items from a Postman v2.1 (or v2.0) collection, in the order Postman and
    Newman run them (depth first, as in the file): each run of requests side by side makes
    one folder, named by its path (``outer/inner``), the collection's name at the top level;
    where requests and folders interleave, a folder's name recurs."""
    root = Field(source, parse_json(text, source), "")
    info = root.need("info")
    schema = info.opt_str("schema")
    if "v2.1" not in schema and "v2.0" not in schema:
        raise InputError(f"{source}: info.schema", f"must be Postman v2.1.0, not {schema!r}")
    collection_name = info.opt_str("name", name_of(source)) or "Postman"
    variables = _variables(root, {})
    auth = _postman_auth(root.get("auth"), [], variables)
    runs: list[tuple[int, str, list[Item]]] = []  # (parent's number, folder name, items)

    # An explicit stack rather than recursion: a deep tree cannot overflow.
    stack: list[tuple[Field, int, str, dict[str, str], list[tuple[str, str]]]] = []
    for node in reversed(list(root.need("item").items())):
        stack.append((node, 0, "", variables, auth))
    parents = 0
    while stack:
        node, parent, prefix, scope, node_auth = stack.pop()
        name = node.opt_str("name")
        if node.get("item") is not None:
            parents += 1
            path = f"{prefix}/{name}" if prefix else name
            scope = _variables(node, scope)
            folder_auth = _postman_auth(node.get("auth"), node_auth, scope)
            for child in reversed(list(node.need("item").items())):
                stack.append((child, parents, path, scope, folder_auth))
        else:
            item = _postman_item(node, name, _variables(node, scope), node_auth)
            if not runs or runs[-1][0] != parent:
                runs.append((parent, (prefix or "(unnamed)") if parent else collection_name, []))
            runs[-1][2].append(item)
    return [Folder(name, tuple(items)) for _, name, items in runs]
