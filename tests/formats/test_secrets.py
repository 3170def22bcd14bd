"""Secret redaction: every form a secret value takes in an export becomes its placeholder."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corsinspector.model import SentRequest

SECRET = "s3cr3t/pa ss:é"


def _encodings(value: str) -> list[str]:
    import base64
    import json
    from urllib.parse import quote, quote_plus

    basic = base64.b64encode(f"alice:{value}".encode()).decode()
    return [
        value,
        quote(value, safe=""),
        quote(value, safe="").lower(),
        quote_plus(value),
        json.dumps(value)[1:-1],
        f"Basic {basic}",
        base64.urlsafe_b64encode(value.encode()).decode().rstrip("="),
    ]


def test_every_documented_encoding_of_a_secret_becomes_its_placeholder() -> None:
    from corsinspector.formats.secrets import Redactor

    redactor = Redactor({"pw": SECRET})
    shown = [redactor.text(f"<{form}>") for form in _encodings(SECRET)]
    assert shown == [
        "<{{pw}}>",
        "<{{pw}}>",
        "<{{pw}}>",
        "<{{pw}}>",
        "<{{pw}}>",
        "<Basic {{base64:alice:{{pw}}}}>",
        "<{{base64:{{pw}}}}>",
    ]


def test_a_secret_inside_a_longer_base64_text_is_found_at_any_alignment() -> None:
    import base64

    from corsinspector.formats.secrets import Redactor

    redactor = Redactor({"pw": SECRET})
    for prefix in ("", "x", "xy"):
        encoded = base64.b64encode(f"{prefix}{SECRET}-and more".encode()).decode()
        assert redactor.text(encoded) == "{{base64:" + prefix + "{{pw}}-and more}}"
        # One stray character before it: no longer decodable, the secret's core still shows.
        assert redactor.text("A" + encoded) == "{{pw}}"


def test_a_short_secret_is_redacted_only_where_it_stands_alone() -> None:
    from corsinspector.formats.secrets import Redactor

    redactor = Redactor({"pin": "42", "long": "0123456789"})
    assert redactor.short == ["pin"]
    assert redactor.text("http://127.0.0.42:8042/x?pin=42&n=421") == (
        "http://127.0.0.42:8042/x?pin={{pin}}&n=421"
    )
    assert redactor.text("42") == "{{pin}}"
    assert redactor.text('{"pin": "42"}') == '{"pin": "{{pin}}"}'
    assert redactor.text("id-0123456789-x") == "id-{{long}}-x"


def test_a_value_a_template_filled_from_a_short_secret_is_put_back_whole() -> None:
    from corsinspector.formats.secrets import Redactor

    redactor = Redactor({"pin": "42"}, {"key-42": "key-{{pin}}"})
    assert redactor.request(
        SentRequest("GET", "https://a.test/", (("X-Key", "key-42"), ("X-Other", "key-42x")))
    ).headers == (("X-Key", "key-{{pin}}"), ("X-Other", "key-42x"))


def test_without_secrets_nothing_changes() -> None:
    from corsinspector.formats.secrets import Redactor

    data = {"a": ["x", 1, {"b": SECRET}]}
    assert Redactor({}).data(data) == data


def _encoded(secret: str, how: str) -> str:
    import base64
    from urllib.parse import quote, quote_plus

    if how == "percent":
        return quote(secret, safe="")
    if how == "form":
        return quote_plus(secret)
    if how == "basic":
        return "Basic " + base64.b64encode(f"u:{secret}".encode()).decode()
    return secret


def _visible(secret: str, text: str) -> list[str]:
    import base64
    from urllib.parse import quote

    forms = {secret, quote(secret, safe=""), base64.b64encode(secret.encode()).decode()}
    return [form for form in forms if form in text]


@given(
    secret=st.text(st.characters(blacklist_characters="{}", codec="utf-8"), min_size=8),
    before=st.text(),
    after=st.text(),
    how=st.sampled_from(["raw", "percent", "form", "basic"]),
)
@settings(max_examples=300, deadline=None)
def test_no_long_secret_survives_whatever_surrounds_it(
    secret: str, before: str, after: str, how: str
) -> None:
    from corsinspector.formats.secrets import Redactor

    redacted = Redactor({"s": secret}).text(before + _encoded(secret, how) + after)
    assert _visible(secret, redacted) == []
