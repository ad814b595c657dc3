"""PostgreSQL over TLS: a throwaway cluster with a certificate from a test CA (made with openssl), and
`strata serve` connecting with each `sslmode` (libpq's meanings) and `sslrootcert`."""
import contextlib
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile

import pytest
import requests

from conftest import STRATA, Server
from test_contract import postgres_binaries


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(directory, name):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", cwd=directory)


def make_server_certificate(directory, ca, names):
    """server.key and server.crt signed by `ca`, for the subject alternative names `names`."""
    (directory / "san.cnf").write_text(f"subjectAltName={','.join(names)}\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=strata-test-db", "-keyout", "server.key",
            "-out", "server.csr", cwd=directory)
    openssl("x509", "-req", "-in", "server.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-CAcreateserial",
            "-days", "2", "-out", "server.crt", "-extfile", "san.cnf", cwd=directory)


@contextlib.contextmanager
def tls_cluster(names):
    """A throwaway cluster that accepts TLS with a certificate for `names` (subject alternative names), signed
    by test-ca; yields the port and the directory holding test-ca.pem and other-ca.pem."""
    binaries = postgres_binaries()
    directory = pathlib.Path(tempfile.mkdtemp(prefix="strata-pg-tls-"))
    certificates = directory / "certificates"
    certificates.mkdir()
    make_ca(certificates, "test-ca")
    make_ca(certificates, "other-ca")
    make_server_certificate(certificates, "test-ca", names)
    os.chmod(certificates / "server.key", 0o600)
    data = directory / "data"
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if os.geteuid() == 0:
        for path in [directory, *directory.rglob("*")]:
            shutil.chown(path, "postgres", "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    try:
        subprocess.run(as_user + [str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
                       check=True, capture_output=True)
        options = (f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c ssl=on "
                   f"-c ssl_cert_file={certificates / 'server.crt'} -c ssl_key_file={certificates / 'server.key'}")
        subprocess.run(as_user + [str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l",
                                  str(directory / "log"), "start"], check=True, capture_output=True)
        yield port, certificates
    finally:
        subprocess.run(as_user + [str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def tls_postgres():
    with tls_cluster(["DNS:localhost", "IP:127.0.0.1"]) as cluster:
        yield cluster


def start_fails(experiments, url, tmp_path):
    """The exit status and stderr of a `strata serve` that must not start: 1 when the connection fails, 64 when
    the URL itself is wrong (a usage error)."""
    result = subprocess.run(
        [STRATA, "serve", "--experiments", str(experiments), "--database", url, "--port", "0",
         "--audit-key", str(tmp_path / "audit.key")],
        capture_output=True, text=True, timeout=120,
    )
    return result.returncode, result.stderr


def test_tls_modes(workspace, tls_postgres, tmp_path, monkeypatch):
    port, certificates = tls_postgres
    experiments, keys, made = workspace
    ca = certificates / "test-ca.pem"
    other = certificates / "other-ca.pem"

    def serves(url):
        server = Server(experiments, keys, database=url, extra=["--audit-key", str(tmp_path / "audit.key")])
        response = requests.post(server.url + "/ofrep/v1/evaluate/flags/banner-on",
                                 json={"context": {"targetingKey": "u-1"}}, headers={"X-API-Key": made["server"]})
        assert response.status_code == 200, response.text
        assert server.stop() == 0, server.logs()

    base = f"postgresql://postgres@localhost:{port}/postgres"
    serves(f"{base}?sslmode=verify-full&sslrootcert={ca}")
    serves(f"postgresql://postgres@127.0.0.1:{port}/postgres?sslmode=verify-full&sslrootcert={ca}")
    serves(f"{base}?sslmode=verify-ca&sslrootcert={ca}")
    serves(f"{base}?sslmode=require")  # encrypted, certificate not checked (libpq's meaning)
    serves(f"{base}?sslmode=prefer")
    # As libpq: a named root file that does not exist is ignored by require (encrypted, not checked; before, the
    # start stopped: "cannot read sslrootcert ... as PEM certificates"), from the URL or PGSSLROOTCERT
    serves(f"{base}?sslmode=require&sslrootcert={tmp_path / 'none.pem'}")
    monkeypatch.setenv("PGSSLROOTCERT", str(tmp_path / "none.pem"))
    serves(f"{base}?sslmode=require")
    status, stderr = start_fails(experiments, f"{base}?sslmode=verify-ca", tmp_path)
    assert status == 1 and f"sslrootcert {tmp_path / 'none.pem'} does not exist" in stderr, stderr
    monkeypatch.delenv("PGSSLROOTCERT")

    status, stderr = start_fails(experiments, f"{base}?sslmode=verify-full&sslrootcert={other}", tmp_path)
    assert status == 1, stderr
    status, stderr = start_fails(experiments, f"{base}?sslmode=require&sslrootcert={other}", tmp_path)
    assert status == 1, stderr  # with sslrootcert, require checks the chain (as libpq)
    status, stderr = start_fails(experiments, f"{base}?sslmode=verify-full&sslrootcert={tmp_path / 'none.pem'}", tmp_path)
    assert status == 1 and "none.pem" in stderr, stderr
    status, stderr = start_fails(experiments, f"{base}?sslmode=verify-full", tmp_path)
    assert status == 64 and "needs sslrootcert" in stderr, stderr
    status, stderr = start_fails(experiments, f"{base}?sslmode=allow", tmp_path)
    assert status == 64 and "sslmode=allow is not supported" in stderr, stderr


def test_verify_full_checks_the_host_name(workspace, tmp_path):
    """A certificate for another name passes verify-ca and fails verify-full."""
    experiments, keys, made = workspace
    with tls_cluster(["DNS:db.example.com"]) as (port, certificates):
        ca = certificates / "test-ca.pem"
        base = f"postgresql://postgres@localhost:{port}/postgres"
        status, stderr = start_fails(experiments, f"{base}?sslmode=verify-full&sslrootcert={ca}", tmp_path)
        assert status == 1, stderr
        server = Server(experiments, keys, database=f"{base}?sslmode=verify-ca&sslrootcert={ca}",
                        extra=["--audit-key", str(tmp_path / "audit.key")])
        assert server.stop() == 0, server.logs()
