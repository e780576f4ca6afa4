"""TLS: on in production, and its context built once per execution environment."""

from dataclasses import replace

from botocore.httpsession import DEFAULT_CA_BUNDLE

from app.db import tls
from app.db.settings import DatabaseSettings


def test_no_tls_negotiation_locally(settings: DatabaseSettings) -> None:
    assert tls.connect_args(settings) == {"ssl_disabled": True}


def test_tls_in_production_reuses_one_context(settings: DatabaseSettings) -> None:
    production = replace(settings, ssl=True)
    first, second = tls.connect_args(production), tls.connect_args(production)
    assert first["ssl"] is second["ssl"]
    assert first["ssl"].verify_mode.name == "CERT_NONE"


def test_a_ca_bundle_turns_on_verification(settings: DatabaseSettings) -> None:
    bundle = DEFAULT_CA_BUNDLE  # any PEM bundle will do; this one ships with botocore
    verified = replace(settings, ssl=True, ssl_ca=bundle)
    context = tls.connect_args(verified)["ssl"]
    assert context.verify_mode.name == "CERT_REQUIRED"
    assert context.check_hostname is True
    assert tls.connect_args(verified)["ssl"] is context
