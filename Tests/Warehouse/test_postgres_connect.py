"""`strata audit verify`, `strata looks list|drop` and `strata serve` with a PostgreSQL URL the server refuses: a
wrong password, none, a database or role that does not exist, TLS asked of a server without it, no TLS where it is
required, a certificate that cannot be verified. Each is one sentence naming the host and port and the server's
reason, exit 1, without the password, at once (postgres-nio's pool retried for a minute: audit and looks gave up
after 30 s with "did not answer", serve after 67 s with "circuitBreakerTripped"); serve writes nothing (no audit key)
and never listens. `strata analyze --database`: test_postgres_database.py; a refused or silent port:
Tests/StrataCLITests/PostgresConnectCLITests.swift."""
import os
import pwd
import shutil
import subprocess
import tempfile

import pytest

from conftest import STRATA
from postgres_cluster import Cluster

PASSWORD = "s3cr:t/@ pw%"
ENCODED = "s3cr%3At%2F%40%20pw%25"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def pg():
    cluster = Cluster().start(password=PASSWORD)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def pg_tls():
    """Trust authentication, TLS required (a self-signed certificate)."""
    cluster = Cluster().start(tls=True)
    try:
        yield cluster
    finally:
        cluster.stop()


def command(name, url, directory):
    if name == "audit verify":
        return ["audit", "verify", "--database", url]
    if name == "looks list":
        return ["looks", "list", "--database", url, "--experiment", "gym-renewal-2026"]
    if name == "looks drop":
        return ["looks", "drop", "--database", url, "--experiment", "gym-renewal-2026", "--look", "1"]
    experiments = directory / "experiments"
    experiments.mkdir(exist_ok=True)
    shutil.copy(os.path.join(ROOT, "experiments", "gym-renewal.yaml"), experiments)
    return ["serve", "--experiments", str(experiments), "--database", url, "--port", "0", "--audit-key",
            str(directory / "audit.key")]


CASES = {
    # case: (cluster, user:password, database, query, the reason)
    "wrong password": ("pg", f"postgres:not-{ENCODED}", "postgres", "",
                       'password authentication failed for user "postgres" (SQLSTATE 28P01)'),
    "no password": ("pg", "postgres", "postgres", "",
                    "the server asks for a password (put it in the URL or in PGPASSWORD)"),
    "no database": ("pg", f"postgres:{ENCODED}", "nodb", "", 'database "nodb" does not exist (SQLSTATE 3D000)'),
    "no role": ("pg_tls", "nobody", "postgres", "?sslmode=require", 'role "nobody" does not exist (SQLSTATE 28000)'),
    "no TLS offered": ("pg", f"postgres:{ENCODED}", "postgres", "?sslmode=require",
                       "the server does not offer TLS (sslmode=require asks for it; try sslmode=prefer)"),
    "TLS required": ("pg_tls", "postgres", "postgres", "?sslmode=disable", "no encryption"),
    "certificate": ("pg_tls", "postgres", "postgres", "?sslmode=verify-full&sslrootcert=system",
                    "the server's TLS certificate cannot be verified (certificate verify failed)"),
    # the cluster's own certificate trusted, but it names 127.0.0.1, not localhost
    "host name": ("pg_tls", "postgres", "postgres", "?sslmode=verify-full&sslrootcert={root}/server.crt",
                  "the server's TLS certificate does not name the host (sslmode=verify-full checks it)"),
}


@pytest.mark.parametrize("name", ["audit verify", "looks list", "looks drop", "serve"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_refused_connection_is_one_sentence(request, tmp_path, case, name):
    cluster_name, credentials, database, query, reason = CASES[case]
    cluster = request.getfixturevalue(cluster_name)
    user = credentials.split(":")[0]
    host = "localhost" if case == "host name" else "127.0.0.1"
    url = f"postgresql://{credentials}@{host}:{cluster.port}/{database}{query.format(root=cluster.root)}"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    result = subprocess.run([STRATA, *command(name, url, tmp_path)], capture_output=True, text=True,
                            env=environment, timeout=60)
    assert result.returncode == 1, (case, name, result.stderr)
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if not line.startswith("{")]  # serve's JSON log lines
    assert len(lines) == 1, (case, name, result.stderr)
    prefix = f"strata: error: cannot connect to PostgreSQL at {host}:{cluster.port}, database {database} as {user}: "
    assert lines[0].startswith(prefix) and reason in lines[0], (case, name, lines[0])
    assert PASSWORD not in result.stderr and ENCODED not in result.stderr
    assert '"listening"' not in result.stderr and "circuitBreaker" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["experiments"])  # no audit key made


@pytest.mark.parametrize("name", ["audit verify", "looks list"])
def test_pgpassword_is_read_when_the_url_has_none(pg, tmp_path, name):
    """The sentence for a URL without a password says 'put it in the URL or in PGPASSWORD': PGPASSWORD is read
    (audit verify, looks and serve took the URL's password only and printed that sentence with PGPASSWORD set;
    serve reads the URL the same way, through the same PostgresLocation)."""
    url = f"postgresql://postgres@127.0.0.1:{pg.port}/postgres"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    environment["PGPASSWORD"] = PASSWORD
    result = subprocess.run([STRATA, *command(name, url, tmp_path)], capture_output=True, text=True,
                            env=environment, timeout=60)
    assert "cannot connect" not in result.stderr and "asks for a password" not in result.stderr, (name, result.stderr)
    assert PASSWORD not in result.stderr


def test_serve_names_a_read_only_audit_key_directory_before_it_migrates(pg):
    """A missing audit key in a directory the server cannot create files in is one sentence naming the file and the
    directory, before anything is written: PostgreSQL is not migrated (the server migrated it, then failed with
    'cannot create the audit key file (does its directory exist?)'). Run as nobody when the tests run as root, who may
    create files in a directory whatever its mode."""
    directory = tempfile.mkdtemp(prefix="strata-read-only-key-")  # not pytest's tmp_path: 0700, closed to nobody
    try:
        os.chmod(directory, 0o755)
        experiments = os.path.join(directory, "experiments")
        os.mkdir(experiments)
        shutil.copy(os.path.join(ROOT, "experiments", "gym-renewal.yaml"), experiments)
        read_only = os.path.join(directory, "keys")
        os.mkdir(read_only)
        os.chmod(read_only, 0o555)
        pg.psql("-c", "CREATE DATABASE read_only_key", password=PASSWORD)
        url = f"postgresql://postgres:{ENCODED}@127.0.0.1:{pg.port}/read_only_key"
        as_nobody = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
        key = os.path.join(read_only, "audit.key")
        result = subprocess.run(as_nobody + [STRATA, "serve", "--experiments", experiments, "--database", url,
                                             "--port", "0", "--audit-key", key],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 1, result.stderr
        lines = [line for line in result.stderr.splitlines() if not line.startswith("{")]
        assert lines == [f"strata: error: {key}: cannot make the audit key file there (no permission to create "
                         f"files in {read_only})"], result.stderr
        migrated = pg.psql("-d", "read_only_key", "-tAc", "SELECT to_regclass('strata_schema') IS NOT NULL",
                           password=PASSWORD).stdout.strip()
        assert migrated == "f"
        assert os.listdir(read_only) == []
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def every_command(name, url, directory):
    """`command`, and `analyze --database` on a table that is not there (its error says it connected)."""
    if name == "analyze":
        return ["analyze", "--experiment", os.path.join(ROOT, "experiments", "gym-renewal.yaml"), "--database", url,
                "--table", "nope", "--no-look-log", "--json"]
    return command(name, url, directory)


@pytest.fixture(scope="module")
def audit_key(tmp_path_factory):
    """One audit key for every serve here: a database keeps the first key's fingerprint and refuses another."""
    return str(tmp_path_factory.mktemp("audit") / "audit.key")


def run_every(name, url, tmp_path, audit_key, **variables):
    """The command's result and its stderr lines other than serve's JSON log lines; a serve that starts listening
    is stopped (SIGTERM) and its returncode is None."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    environment.update(variables)
    arguments = [STRATA, *every_command(name, url, tmp_path)]
    if name == "serve":
        arguments[arguments.index("--audit-key") + 1] = audit_key
        process = subprocess.Popen(arguments, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                                   env=environment)
        stderr = []
        for line in process.stderr:  # ends when serve exits; a listening serve is stopped
            stderr.append(line)
            if '"listening"' in line:
                process.terminate()
        returncode = process.wait(timeout=60)
        result = subprocess.CompletedProcess(arguments, None if any('"listening"' in line for line in stderr)
                                             else returncode, "", "".join(stderr))
    else:
        result = subprocess.run(arguments, capture_output=True, text=True, env=environment, timeout=60)
    lines = [line for line in result.stderr.splitlines() if not line.startswith("{")]  # serve's JSON log lines
    return result, lines


def connected(name, result, lines):
    """Whether the command got past connecting (serve: it listened)."""
    if name == "analyze":
        return len(lines) == 1 and 'relation "nope" does not exist' in lines[0]
    if name == "serve":
        return result.returncode is None
    if name == "audit verify":  # the database is serve's (a serve here migrated it) or not yet
        return result.returncode == 0 or "no audit log in this database" in result.stderr
    return result.returncode == 0 or "not a strata serve database (it has no looks table)" in result.stderr


ALL = ["analyze", "audit verify", "looks list", "serve"]


@pytest.mark.parametrize("name", ALL)
def test_what_the_url_leaves_out_comes_from_libpq_variables(pg, tmp_path, audit_key, name):
    """postgresql:// alone, with PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE: every command connects (serve,
    audit verify and looks read none of them but PGPASSWORD, and refused a URL without a host)."""
    result, lines = run_every(name, "postgresql://", tmp_path, audit_key, PGHOST="127.0.0.1", PGPORT=str(pg.port),
                              PGUSER="postgres", PGPASSWORD=PASSWORD, PGDATABASE="postgres")
    assert connected(name, result, lines), (name, result.stderr)
    assert PASSWORD not in result.stderr


@pytest.mark.parametrize("name", ALL)
def test_the_default_user_is_the_operating_system_user(pg, tmp_path, audit_key, name):
    """A URL without a user connects as the operating-system user (libpq, psql, analyze), else PGUSER: serve, audit
    verify and looks connected as `postgres`."""
    user = pwd.getpwuid(os.geteuid()).pw_name
    if user == "postgres":
        pytest.skip("the operating-system user is postgres")
    url = f"postgresql://127.0.0.1:{pg.port}/postgres"
    result, lines = run_every(name, url, tmp_path, audit_key, PGPASSWORD=PASSWORD)
    assert result.returncode == 1 and len(lines) == 1, (name, result.stderr)
    assert f"PostgreSQL at 127.0.0.1:{pg.port}, database postgres as {user}: " in lines[0], (name, lines[0])
    assert f'password authentication failed for user "{user}"' in lines[0], (name, lines[0])
    result, lines = run_every(name, url, tmp_path, audit_key, PGPASSWORD=PASSWORD, PGUSER="postgres")
    assert connected(name, result, lines), (name, result.stderr)


@pytest.mark.parametrize("name", ALL)
def test_sslmode_defaults_to_prefer(pg_tls, tmp_path, audit_key, name):
    """A server that requires TLS, a URL without sslmode: every command connects with TLS (libpq's prefer; serve,
    audit verify and looks defaulted to disable: "no encryption"); PGSSLMODE=disable is read."""
    url = f"postgresql://postgres@127.0.0.1:{pg_tls.port}/postgres"
    result, lines = run_every(name, url, tmp_path, audit_key)
    assert connected(name, result, lines), (name, result.stderr)
    result, lines = run_every(name, url, tmp_path, audit_key, PGSSLMODE="disable")
    assert result.returncode == 1 and len(lines) == 1 and "no encryption" in lines[0], (name, result.stderr)
