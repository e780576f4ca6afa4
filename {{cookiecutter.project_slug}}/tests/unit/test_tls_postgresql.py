"""TLS: on in production, always verified (libpq's verify-full)."""

from dataclasses import replace

import pytest
from botocore.httpsession import DEFAULT_CA_BUNDLE

from app.db import driver
from app.db.settings import DatabaseSettings
from app.errors import ConfigurationError


def test_no_tls_negotiation_locally(settings: DatabaseSettings) -> None:
    assert driver.tls_args(settings) == {"sslmode": "disable"}


def test_tls_checks_the_certificate_and_the_host_name(settings: DatabaseSettings) -> None:
    bundle = DEFAULT_CA_BUNDLE  # any PEM bundle will do; this one ships with botocore
    verified = replace(settings, ssl=True, ssl_ca=bundle)
    assert driver.tls_args(verified) == {"sslmode": "verify-full", "sslrootcert": bundle}


def test_without_a_ca_bundle_the_systems_cas_verify(settings: DatabaseSettings) -> None:
    verified = replace(settings, ssl=True, ssl_ca=None)
    assert driver.tls_args(verified) == {"sslmode": "verify-full", "sslrootcert": "system"}


def test_a_missing_ca_bundle_is_named_with_the_fix(settings: DatabaseSettings) -> None:
    with pytest.raises(ConfigurationError) as raised:
        driver.tls_args(replace(settings, ssl=True, ssl_ca="/nowhere/rds-ca-bundle.pem"))
    assert str(raised.value) == (
        f"ssl_ca of {settings.env!r} is /nowhere/rds-ca-bundle.pem, which does not exist: sam build "
        "downloads the RDS CA bundle there (make ca-bundle does it locally), or set DB_SSL_CA to a CA bundle"
    )
