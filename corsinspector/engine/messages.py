"""Console messages word for word, as Chromium prints them for ``fetch()`` (140 and 156 agree
but where said).

The sentences are the ones the recorder captured from Chromium 140 (the golden truths), which
differ from older Chromium sources: the ``If an opaque response serves your needs …`` hints
are gone, and the Allow-Origin value errors end with ``Have the server send the header with
a valid value.``
"""

from __future__ import annotations

from corsinspector.engine.kinds import PREFLIGHT

__all__ = ["PREFLIGHT_INFIX", "cors_message", "kind_sentence", "local_resource_message"]

PREFLIGHT_INFIX = "Response to preflight request doesn't pass access control check: "
_VALID_VALUE_HINT = " Have the server send the header with a valid value."

_SENTENCES = {
    "MissingAllowOriginHeader": (
        "No 'Access-Control-Allow-Origin' header is present on the requested resource."
    ),
    "AllowOriginMismatch": (
        "The 'Access-Control-Allow-Origin' header has a value '{value}' that is not equal to "
        "the supplied origin." + _VALID_VALUE_HINT
    ),
    "InvalidAllowOriginValue": (
        "The 'Access-Control-Allow-Origin' header contains the invalid value '{value}'."
        + _VALID_VALUE_HINT
    ),
    "MultipleAllowOriginValues": (
        "The 'Access-Control-Allow-Origin' header contains multiple values '{value}', but only "
        "one is allowed." + _VALID_VALUE_HINT
    ),
    "WildcardOriginNotAllowed": (
        "The value of the 'Access-Control-Allow-Origin' header in the response must not be the "
        "wildcard '*' when the request's credentials mode is 'include'."
    ),
    "InvalidAllowCredentials": (
        "The value of the 'Access-Control-Allow-Credentials' header in the response is "
        "'{value}' which must be 'true' when the request's credentials mode is 'include'."
    ),
    "InvalidStatus": "It does not have HTTP ok status.",
    "DisallowedRedirect": "Redirect is not allowed for a preflight request.",
    "InvalidAllowMethodsPreflightResponse": (
        "Cannot parse Access-Control-Allow-Methods response header field in preflight response."
    ),
    "InvalidAllowHeadersPreflightResponse": (
        "Cannot parse Access-Control-Allow-Headers response header field in preflight response."
    ),
    "MethodDisallowedByPreflightResponse": (
        "Method {value} is not allowed by Access-Control-Allow-Methods in preflight response."
    ),
    "HeaderDisallowedByPreflightResponse": (
        "Request header field {value} is not allowed by Access-Control-Allow-Headers in "
        "preflight response."
    ),
    # Chromium 156, a redirect to a scheme CORS does not serve (Chromium 140 gives none)
    "CorsDisabledScheme": (
        "Cross origin requests are only supported for protocol schemes: chrome, "
        "chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, "
        "http, https, isolated-app."
    ),
    # Chrome 156's Local Network Access ({value}: `local` or `loopback`)
    "LocalNetworkAccessPermissionDenied": (
        "Permission was denied for this request to access the `{value}` address space."
    ),
    "RedirectContainsCredentials": (
        "Redirect location '{value}' contains a username and password, which is disallowed "
        "for cross-origin requests."
    ),
}


def _escaped(value: str) -> str:
    """A header value as Chromium's console shows it: bytes outside printable ASCII as
    ``\\uXXXX`` (a no-break space prints as ``\\u00A0``)."""
    return "".join(c if 0x20 <= ord(c) < 0x7F else f"\\u{ord(c):04X}" for c in value)


def kind_sentence(kind: str, failed_parameter: str) -> str:
    """The kind's own sentence (after the preflight infix, when there is one)."""
    base = kind.removeprefix(PREFLIGHT)
    return _SENTENCES[base].format(value=_escaped(failed_parameter))


def cors_message(kind: str, failed_parameter: str, *, url: str, first_url: str, origin: str) -> str:
    """``Access to fetch at '<url>' [(redirected from '<first>') ]from origin '<origin>' has
    been blocked by CORS policy: …``"""
    redirected = f"(redirected from '{first_url}') " if first_url != url else ""
    infix = PREFLIGHT_INFIX if kind.startswith(PREFLIGHT) else ""
    return (
        f"Access to fetch at '{url}' {redirected}from origin '{origin}' has been blocked by "
        f"CORS policy: {infix}{kind_sentence(kind, failed_parameter)}"
    )


def local_resource_message(url: str) -> str:
    """What Chromium 156 prints when a page fetches a ``file:`` URL (Chromium 140, embedded,
    prints nothing: script sees ``TypeError: Failed to fetch``)."""
    return f"Not allowed to load local resource: {url}"
