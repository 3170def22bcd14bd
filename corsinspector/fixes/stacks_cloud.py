"""The managed services configured with a JSON document: AWS S3's bucket CORS rules and
AWS API Gateway's HTTP API CorsConfiguration (their pitfalls come from ``stack_pitfalls``)."""

from __future__ import annotations

import json

from corsinspector.fixes.stack import Spec, Stack

__all__ = ["API_GATEWAY", "S3"]

#: The only methods an S3 CORS rule accepts.
_S3_METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD")


def _s3(s: Spec) -> str:
    rule: dict[str, object] = {
        "AllowedOrigins": [s.origin],
        "AllowedMethods": [m for m in s.methods if m in _S3_METHODS],
        "AllowedHeaders": list(s.headers),
        "ExposeHeaders": list(s.expose),
    }
    if s.max_age is not None:
        rule["MaxAgeSeconds"] = s.max_age
    return json.dumps({"CORSRules": [rule]}, indent=2)


def _api_gateway(s: Spec) -> str:
    config: dict[str, object] = {
        "AllowOrigins": [s.origin],
        "AllowMethods": list(s.methods),
        "AllowHeaders": list(s.headers),
        "AllowCredentials": s.credentials,
        "ExposeHeaders": list(s.expose),
    }
    if s.max_age is not None:
        config["MaxAge"] = s.max_age
    return json.dumps(config, indent=2)


def _s3_methods(s: Spec) -> tuple[str, ...]:
    if set(s.methods) - set(_S3_METHODS):
        return ("S3 AllowedMethods accepts only GET, PUT, POST, DELETE and HEAD.",)
    return ()


S3 = Stack(
    "s3",
    "AWS S3 (bucket CORS configuration)",
    _s3,
    auth_first="S3 answers OPTIONS itself; a 403 means no CORS rule matched the origin, method "
    "and headers (authentication is not applied to preflights).",
    reflect="S3 has no credentials option: it sends Allow-Credentials itself for a non-'*' "
    "origin; never AllowedOrigins ['*'] for cookies.",
    json=True,
    spec_pitfalls=_s3_methods,
)

API_GATEWAY = Stack(
    "api-gateway",
    "AWS API Gateway (HTTP API CorsConfiguration)",
    _api_gateway,
    auth_first="an authorizer (authentication) runs before CORS on OPTIONS routes: "
    "with CorsConfiguration set, API Gateway answers OPTIONS first; "
    "do not attach an authorizer to OPTIONS.",
    reflect="AllowOrigins ['*'] with AllowCredentials true is rejected: list exact origins.",
    json=True,
)
