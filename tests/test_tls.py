"""TLS as the app's connections negotiate it: a server's certificate is checked, and so is its name.

The local servers speak no TLS, and giving them certificates would mean restarting them. MySQL
and PostgreSQL negotiate TLS inside their protocols, so a plain TLS proxy cannot stand in either:
here a fake server speaks each protocol up to the TLS handshake (MySQL's greeting offering TLS,
PostgreSQL's answer to the SSL request), then completes the handshake with a certificate made for
the test by a CA of its own, and hangs up. A baked project's engine connects with production's
TLS arguments and that CA as ``ssl_ca``: it must finish the handshake with a certificate for
127.0.0.1 signed by the CA, and refuse one for another host, or one signed by another CA.
"""

import datetime
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.exc import OperationalError

from bench.project import Project

pytestmark = pytest.mark.slow  # scripts/test --quick leaves this module out

HOST = "127.0.0.1"
MYSQL_CAPABILITIES = 0x1 | 0x8 | 0x200 | 0x800 | 0x8000 | 0x80000  # protocol 4.1, TLS, auth plugins
PG_SSL_REQUEST, PG_GSSENC_REQUEST = 80877103, 80877104
HANDSHAKE_DONE = "handshake done"


class Authority:
    """A certificate authority of the test's own, which signs server certificates."""

    def __init__(self, name: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.certificate = self._sign(
            self.name,
            self.key,
            [
                x509.BasicConstraints(ca=True, path_length=None),
                x509.KeyUsage(
                    False, False, False, False, False, True, True, False, False
                ),  # signs certificates
                x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()),
            ],
        )

    def _sign(
        self, subject: x509.Name, key: ec.EllipticCurvePrivateKey, extensions: list[x509.ExtensionType]
    ) -> x509.Certificate:
        now = datetime.datetime.now(datetime.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
        )
        for extension in extensions:
            builder = builder.add_extension(extension, critical=isinstance(extension, x509.BasicConstraints))
        return builder.sign(self.key, hashes.SHA256())

    def issue(self, folder: Path, name: x509.GeneralName) -> tuple[Path, Path]:
        """A server certificate for ``name``, and its key, written to ``folder``."""
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, str(name.value))])
        extensions = [
            x509.BasicConstraints(ca=False, path_length=None),
            x509.SubjectAlternativeName([name]),
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
            x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
        ]
        certificate = self._sign(subject, key, extensions)
        certificate_path, key_path = folder / "server.pem", folder / "server.key"
        certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return certificate_path, key_path

    def write(self, path: Path) -> Path:
        """The CA's certificate, as a bundle of one for ``ssl_ca``."""
        path.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))
        return path


def mysql_up_to_tls(client: socket.socket) -> None:
    """Greet as MySQL does, offering TLS; read the client's SSL request."""
    capabilities = MYSQL_CAPABILITIES.to_bytes(4, "little")
    greeting = b"".join([
        b"\x0a8.0.36-fake\x00",  # protocol 10, the server's version
        (1).to_bytes(4, "little"),  # connection id
        b"12345678\x00",  # the first part of the login's salt
        capabilities[:2], b"\x2d", b"\x02\x00", capabilities[2:],  # then utf8mb4, autocommit
        b"\x15", b"\x00" * 10, b"123456789012\x00", b"mysql_native_password\x00",
    ])  # fmt: skip
    client.sendall(len(greeting).to_bytes(3, "little") + b"\x00" + greeting)
    header = client.recv(4, socket.MSG_WAITALL)
    client.recv(int.from_bytes(header[:3], "little"), socket.MSG_WAITALL)


def postgresql_up_to_tls(client: socket.socket) -> None:
    """Refuse GSS encryption, accept TLS, as a PostgreSQL server with ssl = on does."""
    while True:
        request = client.recv(8, socket.MSG_WAITALL)
        code = int.from_bytes(request[4:], "big")
        if code == PG_SSL_REQUEST:
            client.sendall(b"S")
            return
        assert code == PG_GSSENC_REQUEST, request
        client.sendall(b"N")


UP_TO_TLS = {"mysql": mysql_up_to_tls, "postgresql": postgresql_up_to_tls}


class FakeServer:
    """Takes one connection, speaks its protocol up to TLS, does the handshake, and hangs up."""

    def __init__(self, database: str, certificate: Path, key: Path) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(certificate, key)
        self.listener = socket.create_server((HOST, 0))
        self.port = self.listener.getsockname()[1]
        self.outcome = ""
        self.thread = threading.Thread(target=self.serve, args=(UP_TO_TLS[database],), daemon=True)
        self.thread.start()

    def serve(self, up_to_tls: Callable[[socket.socket], None]) -> None:
        client, _ = self.listener.accept()
        with client:
            up_to_tls(client)
            try:
                with self.context.wrap_socket(client, server_side=True):
                    self.outcome = HANDSHAKE_DONE
            except OSError as error:
                self.outcome = f"refused by the client: {error}"

    def close(self) -> None:
        self.thread.join(timeout=10)
        self.listener.close()


def connect_with_tls(
    project: Project, tmp_path: Path, ca: Authority | None, certified: Authority, name: x509.GeneralName
) -> tuple[str, str]:
    """What the connection said, and what the fake server saw; ``certified`` signed its certificate.

    The connection trusts ``ca``, or the system's CAs when it is None.
    """
    server = FakeServer(project.database, *certified.issue(tmp_path, name))
    with project.using():
        settings = project.module("db.settings").load_database_settings()
    bundle = None if ca is None else str(ca.write(tmp_path / "ca.pem"))
    production = replace(settings, host=HOST, port=server.port, ssl=True, ssl_ca=bundle)
    engine = project.module("db.engine").build_engine(production)
    try:
        with pytest.raises(OperationalError) as raised:
            engine.connect()  # the fake server never logs anyone in
    finally:
        engine.dispose()
        server.close()
    return str(raised.value.orig), server.outcome


@pytest.fixture(scope="module")
def ca() -> Authority:
    return Authority("Test RDS CA")


def test_a_certificate_for_the_host_signed_by_the_ca_is_taken(
    project: Project, tmp_path: Path, ca: Authority
) -> None:
    said, outcome = connect_with_tls(project, tmp_path, ca, ca, x509.IPAddress(ipaddress.ip_address(HOST)))
    assert outcome == HANDSHAKE_DONE
    assert "certificate" not in said  # the server hung up after the handshake: that is what failed


def test_a_certificate_for_another_host_is_refused(project: Project, tmp_path: Path, ca: Authority) -> None:
    said, _ = connect_with_tls(project, tmp_path, ca, ca, x509.DNSName("db.other.example"))
    # PyMySQL's context checks the name during the handshake, libpq right after it: then it hangs up.
    expected = {
        "mysql": "IP address mismatch, certificate is not valid for '127.0.0.1'",
        "postgresql": 'server certificate for "db.other.example" (and 1 other name) does not match host name',
    }
    assert expected[project.database] in said


def test_a_certificate_signed_by_another_ca_is_refused(
    project: Project, tmp_path: Path, ca: Authority
) -> None:
    impostor = Authority("Impostor CA")
    said, outcome = connect_with_tls(
        project, tmp_path, ca, impostor, x509.IPAddress(ipaddress.ip_address(HOST))
    )
    assert outcome != HANDSHAKE_DONE
    assert "certificate verify failed" in said


def test_without_a_ca_bundle_the_systems_cas_decide(project: Project, tmp_path: Path, ca: Authority) -> None:
    said, outcome = connect_with_tls(project, tmp_path, None, ca, x509.IPAddress(ipaddress.ip_address(HOST)))
    assert outcome != HANDSHAKE_DONE
    assert "certificate verify failed" in said  # encrypted but unverified is not an option
