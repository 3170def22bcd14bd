"""Secrets in files going out and coming in: the redaction of secret values from exports
(cURL, HAR), and the extraction of credentials from imported requests into variables."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote_plus

from corsinspector.errors import InputError
from corsinspector.formats.collection import Folder, Item
from corsinspector.model import SentRequest, header_values

__all__ = [
    "MIN_SECRET_LENGTH",
    "MovedCredential",
    "Redactor",
    "extract_credentials",
    "redactor_for",
]

# --- redaction ----------------------------------------------------------------------------

#: Secrets shorter than this are redacted only where they stand alone (a whole value, a
#: parameter, a word): matched inside other text, a value like ``1`` would mangle it.
MIN_SECRET_LENGTH = 8
#: What may stand on either side of a short secret for it to count as standing alone.
_SEPARATORS = "\\s\"'=&;,:?"
#: Decoded base64 that may be shown as is inside any text (no quotes, brackets, controls).
_PLAIN = re.compile(r"[A-Za-z0-9 !#$%&()*+,./:;=?@^_`|~-]*")
_PLACEHOLDER = re.compile(r"\{\{[^{}]*\}\}")
_LINE_SPACE = str.maketrans("\t\r\n", "   ")
#: The shortest base64 core searched for: shorter ones turn up by chance.
_MIN_CORE = 8
#: Base64 tokens (standard and URL-safe alphabets), padded or not.
_BASE64_TOKENS = (
    re.compile(r"[A-Za-z0-9+/]{4,}={0,2}"),
    re.compile(r"[A-Za-z0-9_-]{4,}={0,2}"),
)


def _percent_tolerant(value: str) -> str:
    """A pattern matching ``value`` with any of its characters percent-encoded (either hex
    case) and a space also as ``+``: every form a URL or form encoder gives it."""
    parts = []
    for char in value:
        encoded = "".join(
            "%" + "".join(f"[{d}{d.lower()}]" if d.isalpha() else d for d in f"{byte:02X}")
            for byte in char.encode("utf-8")
        )
        extra = "|\\+" if char == " " else ""
        parts.append(f"(?:{re.escape(char)}|{encoded}{extra})")
    return "".join(parts)


def _base64_cores(value: str) -> list[str]:
    """The part of the base64 of ``value`` that is the same wherever the value sits in a
    longer encoded text (at each of the three byte alignments), in both alphabets."""
    raw = value.encode("utf-8")
    cores = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        end = len(encoded) - (4 if (offset + len(raw)) % 3 else 0)
        core = encoded[4 if offset else 0 : end]
        if len(core) >= _MIN_CORE:
            cores += [core, core.translate(str.maketrans("+/", "-_"))]
    return cores


def _base64_text(token: str) -> str | None:
    """``token`` decoded as base64 (either alphabet, padding optional) when that gives
    UTF-8 text without control characters (bar tab and line ends), else None: a word that
    merely looks like base64 decodes to bytes, not text."""
    bare = token.rstrip("=")
    if len(bare) % 4 == 1:
        return None
    padded = bare + "=" * (-len(bare) % 4)
    altchars = b"-_" if ("-" in bare or "_" in bare) else None
    try:
        text = base64.b64decode(padded, altchars=altchars, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return text if text.translate(_LINE_SPACE).isprintable() else None


def _base64_like(token: str, text: str) -> str:
    """``text`` encoded as ``token`` was: the same alphabet, padded only if it was."""
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    if "-" in token or "_" in token:
        encoded = encoded.translate(str.maketrans("+/", "-_"))
    return encoded if token.endswith("=") else encoded.rstrip("=")


class Redactor:
    """Puts ``{{name}}`` in place of every occurrence of each secret value, in the forms a
    value takes in an exchange: as is, percent-encoded (any mix of ``%XX``, ``+`` for a
    space), JSON-escaped, and inside a base64 token (``Basic base64(user:secret)``, a JWT
    segment): shown decoded as ``{{base64:user:{{name}}}}`` when its text is plain, else
    encoded again with the placeholder inside.

    A secret of fewer than :data:`MIN_SECRET_LENGTH` characters is replaced only where it
    stands alone (between separators: whitespace, quotes, ``= & ; , : ?``) and where a
    collection template put it (``templated``: a whole value as sent -> the same value
    with its secrets as placeholders)."""

    def __init__(
        self, secrets: Mapping[str, str], templated: Mapping[str, str] | None = None
    ) -> None:
        named = sorted(
            ((n, v) for n, v in secrets.items() if v), key=lambda nv: (-len(nv[1]), nv[0])
        )
        #: The names of the secrets too short to be redacted inside other text.
        self.short = sorted(n for n, v in named if len(v) < MIN_SECRET_LENGTH)
        self._templated = dict(templated or {})
        self._patterns: list[tuple[re.Pattern[str], str]] = []
        self._cores: list[tuple[str, list[str]]] = []
        for name, value in named:
            forms = {_percent_tolerant(value)}
            for ascii_only in (False, True):
                escaped = json.dumps(value, ensure_ascii=ascii_only)[1:-1]
                if escaped != value:
                    forms.add(re.escape(escaped))
            pattern = "|".join(sorted(forms, key=len, reverse=True))
            if len(value) < MIN_SECRET_LENGTH:
                pattern = f"(?<![^{_SEPARATORS}])(?:{pattern})(?![^{_SEPARATORS}])"
            else:
                self._cores.append((name, _base64_cores(value)))
            self._patterns.append((re.compile(pattern), "{{" + name + "}}"))

    def _plain(self, text: str) -> str:
        for pattern, placeholder in self._patterns:
            text = pattern.sub(placeholder, text)
        return text

    def _token(self, match: re.Match[str]) -> str:
        token = match.group(0)
        decoded = _base64_text(token)
        if decoded is not None:
            redacted = self._plain(decoded)
            if redacted != decoded:
                # Shown decoded when that cannot break the text around it (a JSON body);
                # else encoded again, the placeholder inside (a JWT stays a JWT).
                if _PLAIN.fullmatch(_PLACEHOLDER.sub("", redacted)):
                    return "{{base64:" + redacted + "}}"
                return _base64_like(token, redacted)
        for name, cores in self._cores:
            if any(core in token for core in cores):
                return "{{" + name + "}}"
        return token

    def text(self, text: str) -> str:
        """``text`` with every secret, in every form above, as its placeholder."""
        if not self._patterns:
            return text
        text = self._plain(self._templated.get(text, text))
        for tokens in _BASE64_TOKENS:
            text = tokens.sub(self._token, text)
        return text

    def data(self, value: Any) -> Any:
        """Every string inside ``value`` (JSON-like: dicts, lists) redacted; keys are kept."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.data(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.data(item) for item in value]
        return value

    def request(self, request: SentRequest) -> SentRequest:
        """``request`` with its URL, header values and body redacted."""
        return replace(
            request,
            url=self.text(request.url),
            headers=tuple((name, self.text(value)) for name, value in request.headers),
            body=None if request.body is None else self.text(request.body),
        )


def _templated(
    items: Mapping[str, Item], variables: Mapping[str, str], secrets: set[str]
) -> dict[str, str]:
    """Each value a template fills from a secret (URL, header value, body), as sent -> the
    same with the secrets as ``{{name}}``: how a short secret inside other text is found."""
    shown = {**variables, **{name: "{{" + name + "}}" for name in secrets}}
    pairs: dict[str, str] = {}
    for path, item in items.items():
        try:
            sent, redacted = item.resolve(dict(variables), path), item.resolve(shown, path)
        except InputError:
            continue  # a variable captured during the run: left to matching by value
        fields = [(sent.url, redacted.url), (sent.body, redacted.body)]
        fields += [(a[1], b[1]) for a, b in zip(sent.headers, redacted.headers, strict=False)]
        pairs.update((a, b) for a, b in fields if a is not None and b is not None and a != b)
    return pairs


def redactor_for(
    items: Mapping[str, Item], variables: Mapping[str, str], secrets: Mapping[str, str]
) -> Redactor:
    """The redactor of a collection's ``items`` (by path) filled from ``variables``: every
    ``secrets`` value, also where an item's template put a short one."""
    return Redactor(secrets, _templated(items, variables, set(secrets)))


# --- credentials --------------------------------------------------------------------------
#: Words that make a header or parameter name a credential's (``X-Api-Key``,
#: ``X-Auth-Token``, ``access_token``, ``apiKey``, ``X-Session-Id`` …).
_CREDENTIAL_WORDS = frozenset(
    {
        "apikey",
        "auth",
        "credential",
        "credentials",
        "jwt",
        "key",
        "passwd",
        "password",
        "pwd",
        "secret",
        "session",
        "sessionid",
        "sid",
        "sig",
        "signature",
        "token",
    }
)
_FORM = "application/x-www-form-urlencoded"


@dataclass
class MovedCredential:
    """A credential taken out of imported items into the secret variable ``name``."""

    name: str
    value: str
    #: Where it was found (``Authorization``, ``?api_key=``), each once, in order.
    places: list[str] = field(default_factory=list)
    items: int = 0


def _is_credential_name(name: str) -> bool:
    words = re.split(r"[^a-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower())
    return "".join(words) in _CREDENTIAL_WORDS or any(w in _CREDENTIAL_WORDS for w in words)


def _variable_name(name: str) -> str:
    """A variable name (as ``{{…}}`` takes it) made from a header or parameter name."""
    words = [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]
    if len(words) > 1 and words[0] == "x":
        words = words[1:]
    text = "_".join(words) or "credential"
    return text if not text[0].isdigit() else "_" + text


class _Vault:
    """The credentials found so far: one variable per value, names kept unique against the
    environment's existing variables (the same value there reuses its name)."""

    def __init__(self, existing: Mapping[str, str]) -> None:
        self.existing = dict(existing)
        self.moved: dict[str, MovedCredential] = {}  # by value
        self._seen: set[tuple[str, int]] = set()  # (value, item index)

    def placeholder(self, wanted: str, value: str, place: str, item: int) -> str:
        credential = self.moved.get(value)
        if credential is None:
            name = next((n for n, v in self.existing.items() if v == value), None)
            taken = set(self.existing) | {c.name for c in self.moved.values()}
            if name is None:
                name, count = wanted, 1
                while name in taken:
                    count += 1
                    name = f"{wanted}_{count}"
            credential = self.moved[value] = MovedCredential(name, value)
        if place not in credential.places:
            credential.places.append(place)
        if (value, item) not in self._seen:
            self._seen.add((value, item))
            credential.items += 1
        return "{{" + credential.name + "}}"


def _moved_pairs(text: str, vault: _Vault, place: str, item: int) -> str:
    """``a=1&api_key=K`` with each credential-named parameter's value a placeholder; every
    other byte of ``text`` is kept (the value as it was encoded is the variable's)."""
    parts = []
    for part in text.split("&"):
        name, equals, value = part.partition("=")
        if equals and value and "{{" not in value and _is_credential_name(unquote_plus(name)):
            wanted = _variable_name(unquote_plus(name))
            value = vault.placeholder(wanted, value, place.format(name=unquote_plus(name)), item)
        parts.append(name + equals + value)
    return "&".join(parts)


def _moved_header(name: str, value: str, vault: _Vault, item: int) -> str:
    if not value or "{{" in value:
        return value
    if name.lower() == "authorization":
        scheme, space, credential = value.strip().partition(" ")
        if not space:
            return vault.placeholder("authorization", value, "Authorization", item)
        wanted = {"bearer": "bearer_token", "basic": "basic_credentials"}.get(
            scheme.lower(), f"{_variable_name(scheme)}_credentials"
        )
        return f"{scheme} " + vault.placeholder(wanted, credential.strip(), "Authorization", item)
    if _is_credential_name(name):
        return vault.placeholder(_variable_name(name), value, name, item)
    return value


def _string_pairs(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
        for pair in value
    )


def extract_credentials(
    folders: list[Folder], existing: Mapping[str, str] | None = None
) -> tuple[list[Folder], list[MovedCredential]]:
    """The folders with each credential in their requests (``Authorization``'s credential,
    API-key-like headers, ``?api_key=``/``token=``-like query and form parameters) replaced
    by a ``{{variable}}``, and the credentials moved. ``existing``: the variables of the
    environment they will join (a value already there keeps its name)."""
    vault = _Vault(existing or {})
    result = []
    count = 0
    for folder in folders:
        items = []
        for item in folder.items:
            count += 1
            request = dict(item.request)
            if not _string_pairs(request.get("headers") or []):
                items.append(item)  # a collection's own item, not in the shape: left as is
                continue
            headers = [
                [pair[0], _moved_header(pair[0], pair[1], vault, count)]
                for pair in request.get("headers") or []
            ]
            request["headers"] = headers
            url = request.get("url")
            if isinstance(url, str) and "?" in url:
                address, _, rest = url.partition("?")
                query, hash_mark, fragment = rest.partition("#")
                query = _moved_pairs(query, vault, "?{name}=", count)
                request["url"] = f"{address}?{query}{hash_mark}{fragment}"
            body = request.get("body")
            form = next(iter(header_values(tuple((n, v) for n, v in headers), "Content-Type")), "")
            if isinstance(body, str) and form.lower().startswith(_FORM):
                request["body"] = _moved_pairs(body, vault, "form field {name}", count)
            items.append(Item(item.name, request, item.expect, item.notes, item.capture))
        result.append(Folder(folder.name, tuple(items)))
    return result, list(vault.moved.values())
