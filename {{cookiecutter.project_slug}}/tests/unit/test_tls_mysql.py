"""TLS: on in production, always verified, and its context built once per execution environment."""

import ssl
from dataclasses import replace

import pytest
from botocore.httpsession import DEFAULT_CA_BUNDLE

from app.db import driver
from app.db.settings import DatabaseSettings
from app.errors import ConfigurationError


def test_no_tls_negotiation_locally(settings: DatabaseSettings) -> None:
    assert driver.tls_args(settings) == {"ssl_disabled": True}


def test_tls_checks_the_certificate_and_the_host_name(settings: DatabaseSettings) -> None:
    context = driver.tls_args(replace(settings, ssl=True, ssl_ca=DEFAULT_CA_BUNDLE))["ssl"]
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)


def test_the_ca_bundle_is_the_only_trust(settings: DatabaseSettings) -> None:
    bundle = DEFAULT_CA_BUNDLE  # any PEM bundle will do; this one ships with botocore
    context = driver.tls_args(replace(settings, ssl=True, ssl_ca=bundle))["ssl"]
    expected = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    expected.load_verify_locations(bundle)
    assert context.get_ca_certs() == expected.get_ca_certs()


def test_without_a_ca_bundle_the_systems_cas_verify(settings: DatabaseSettings) -> None:
    context = driver.tls_args(replace(settings, ssl=True, ssl_ca=None))["ssl"]
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)


def test_one_context_serves_every_connection(settings: DatabaseSettings) -> None:
    verified = replace(settings, ssl=True, ssl_ca=DEFAULT_CA_BUNDLE)
    assert driver.tls_args(verified)["ssl"] is driver.tls_args(verified)["ssl"]


def test_a_missing_ca_bundle_is_named_with_the_fix(settings: DatabaseSettings) -> None:
    with pytest.raises(ConfigurationError) as raised:
        driver.tls_args(replace(settings, ssl=True, ssl_ca="/nowhere/rds-ca-bundle.pem"))
    assert str(raised.value) == (
        f"ssl_ca of {settings.env!r} is /nowhere/rds-ca-bundle.pem, which does not exist: sam build "
        "downloads the RDS CA bundle there (make ca-bundle does it locally), or set DB_SSL_CA to a CA bundle"
    )
