"""A throwaway PostgreSQL cluster: initdb + pg_ctl in a temporary directory on a loopback port, run as
the `postgres` user when we are root (PostgreSQL refuses to run as root), stopped and removed at the end."""
import csv
import glob
import io
import os
import shutil
import socket
import subprocess
import tempfile


def _bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (Scripts/ensure-warehouse-deps.sh installs it)")
    return found[-1]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="strata-pg-")
        self.data = os.path.join(self.root, "data")
        self.port = _free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.root, "postgres")
            os.chmod(self.root, 0o755)

    def _run(self, *args, **kwargs):
        return subprocess.run([*self.as_user, *args], check=True, capture_output=True, text=True, **kwargs)

    def _tls_files(self):
        """A self-signed certificate for 127.0.0.1 (clients that verify it must refuse it)."""
        cert, key = os.path.join(self.root, "server.crt"), os.path.join(self.root, "server.key")
        subprocess.run(["openssl", "req", "-new", "-x509", "-days", "2", "-nodes", "-subj", "/CN=127.0.0.1",
                        "-newkey", "rsa:2048", "-keyout", key, "-out", cert], check=True, capture_output=True)
        os.chmod(key, 0o600)
        if self.as_user:
            shutil.chown(cert, "postgres")
            shutil.chown(key, "postgres")
        return cert, key

    def start(self, password=None, tls=False, settings=""):
        init = [_bin("initdb"), "-D", self.data, "-U", "postgres", "--no-sync", "-E", "UTF8"]
        if password:
            pwfile = os.path.join(self.root, "pw")
            with open(pwfile, "w") as f:
                f.write(password)
            if self.as_user:
                shutil.chown(pwfile, "postgres")
            init += ["-A", "scram-sha-256", "--pwfile", pwfile]
        else:
            init += ["-A", "trust"]
        self._run(*init)
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        if settings:  # extra -c name=value server settings (the benchmark's memory)
            options += " " + settings
        if tls:  # TCP clients must use TLS: a connection that is not encrypted is refused
            hba = os.path.join(self.data, "pg_hba.conf")
            with open(hba) as f:
                lines = [("hostssl" + line[4:]) if line.startswith("host ") else line for line in f]
            with open(hba, "w") as f:
                f.writelines(lines)
            cert, key = self._tls_files()
            options += f" -c ssl=on -c ssl_cert_file={cert} -c ssl_key_file={key}"
        self._run(_bin("pg_ctl"), "-D", self.data, "-o", options, "-l", os.path.join(self.root, "log"), "-w", "start")
        return self

    def psql(self, *args, input=None, password=None):
        env = dict(os.environ, PGPASSWORD=password) if password else None
        return subprocess.run(
            ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", "postgres", *args], check=True, capture_output=True, text=True, input=input, env=env)

    def load_experiment_tables(self, data, rows):
        """Creates a test data module's units, exposures and events tables (`data.ddl`, PostgreSQL's types) and fills
        them from `rows` (`data.unit_tuples`, `data.events`) with `\\copy`; None is NULL."""
        for statement in data.ddl("TEXT", "DOUBLE PRECISION", "INTEGER", "TIMESTAMP"):
            self.psql("-c", statement)
        exposures, events = data.events(rows)
        for name, values in [("units", data.unit_tuples(rows)), ("exposures", exposures), ("events", events)]:
            text = io.StringIO()
            csv.writer(text).writerows([["" if v is None else v for v in row] for row in values])
            self.psql("-c", f"\\copy {name} FROM STDIN WITH (FORMAT csv)", input=text.getvalue())
        return self

    def stop(self):
        try:
            self._run(_bin("pg_ctl"), "-D", self.data, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
