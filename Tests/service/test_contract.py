"""openapi.yaml against the running service (schemathesis), start-up errors, and PostgreSQL."""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import pytest
import requests

from conftest import ROOT, STRATA, Server, strata


def test_schemathesis_finds_no_server_errors_or_schema_violations(server):
    schemathesis = pathlib.Path(sys.executable).parent / "schemathesis"
    result = subprocess.run(
        [
            str(schemathesis), "run", str(ROOT / "openapi.yaml"),
            "--url", server.url,
            "--header", f"X-API-Key: {server.keys['admin']}",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
            "response_schema_conformance,response_headers_conformance",
            "--max-examples", os.environ.get("STRATA_SCHEMATHESIS_EXAMPLES", "40"),
            "--seed", "20261203",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_a_bad_definition_stops_the_start(tmp_path):
    experiments = tmp_path / "experiments"
    experiments.mkdir()
    (experiments / "good.yaml").write_text("id: good\nvariants: [a, b]\n")
    (experiments / "bad.yaml").write_text("id: bad\nvariants: [a, b]\ntrafic: 0.5\n")
    result = subprocess.run(
        [STRATA, "serve", "--experiments", str(experiments), "--database", f"sqlite:{tmp_path / 's.db'}", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"{experiments / 'bad.yaml'}:3: trafic: unknown key" in result.stderr


def test_keys_new_prints_the_key_once_on_the_last_line(tmp_path):
    keys = tmp_path / "keys.jsonl"
    out = strata("keys", "new", "--role", "viewer", "--name", "dash", "--keys", str(keys)).stdout
    key = out.strip().splitlines()[-1]
    assert key.startswith("strata_viewer_") and " " not in key
    assert key not in keys.read_text()
    again = strata("keys", "new", "--role", "viewer", "--name", "dash", "--keys", str(keys), check=False)
    assert again.returncode == 1 and "exists already" in again.stderr
    bad_role = strata("keys", "new", "--role", "root", "--name", "x", "--keys", str(keys), check=False)
    assert bad_role.returncode == 64


def postgres_binaries():
    for version in ["17", "16", "15"]:
        path = pathlib.Path(f"/usr/lib/postgresql/{version}/bin")
        if (path / "initdb").exists():
            return path
    pytest.fail("PostgreSQL is not installed (Scripts/test-service.sh installs it)")


@pytest.fixture
def postgres():
    binaries = postgres_binaries()
    directory = pathlib.Path(tempfile.mkdtemp(prefix="strata-pg-"))
    data = directory / "data"
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subprocess.run(as_user + [str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"], check=True, capture_output=True)
    subprocess.run(
        as_user
        + [str(binaries / "pg_ctl"), "-D", str(data), "-o", f"-p {port} -k {directory} -c listen_addresses=127.0.0.1", "-w", "-l", str(directory / "log"), "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield port, binaries
    finally:
        subprocess.run(as_user + [str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(directory, ignore_errors=True)


def postgres_server(workspace, postgres, extra=()):
    """A server on the throwaway cluster of the `postgres` fixture (with `extra` flags), `psql(sql)`: the statement's
    output there (unaligned, no headers; psql's message fails the test), and the cluster's URL."""
    port, binaries = postgres
    experiments, keys, _ = workspace
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    server = Server(experiments, keys, database=url,
                    extra=["--audit-key", str(experiments.parent / "audit.key"), *extra])

    def psql(sql):
        result = subprocess.run([str(binaries / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-At",
                                 "-c", sql], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    return server, psql, url


def test_postgresql_store(workspace, postgres):
    experiments, keys, made = workspace
    for _ in range(2):  # the second start finds the schema migrated
        server, psql, _ = postgres_server(workspace, postgres)
        response = requests.post(
            server.url + "/ofrep/v1/evaluate/flags/banner-on",
            json={"context": {"targetingKey": "u-1"}},
            headers={"X-API-Key": made["server"]},
        )
        assert response.status_code == 200, response.text
        assert server.stop() == 0, server.logs()
    assert int(psql("SELECT max(version) FROM strata_schema")) >= 2
    assert psql("SELECT count(*) FROM api_keys") == "4"
    assert psql("SELECT count(*) FROM definitions") == str(len(list(experiments.glob("*.yaml"))))
    assert made["server"] not in psql("SELECT string_agg(sha256, ',') FROM api_keys")
