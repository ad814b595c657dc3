#!/usr/bin/env python3
"""Service benchmarks (run by hand; figures in docs/service.md). Python standard library only.

  ingest_bench.py results ROWS [--strata BIN]
      ROWS exposures of gym-renewal-2026 (and their events: ~60% renew, with revenue) written straight into a
      fresh SQLite store in bench-data/, then the time of GET /v1/experiments/gym-renewal-2026/results (whole
      request: cells, analysis, JSON), 3 runs, after the start (timed: ready, then the running cell totals
      built in the background from the rows written behind the service's back; with --reuse the totals are
      current and nothing is built: build_passes_logged 0), and 3 after --after more exposures and
      events went through the API (which keeps the totals), and, unless --skip-query, the event-level results
      query alone (Python's sqlite3 on the same file, the same SQL as `strata sql --dialect sqlite`).

  ingest_bench.py ingest sqlite|postgres [--batches 2000] [--clients 8] [--rounds 3] [--strata BIN] [--ceiling BIN]
      events/s through POST /v1/events in batches of 100 (CLIENTS concurrent keep-alive connections), for units
      U0..U999 exposed through the API first (so the service keeps their running totals, as in production),
      against `ingest-ceiling`: a bare loop inserting the same number of rows in the same batches through the
      same driver (GRDB, postgres-nio) into the same table, one transaction per batch. API and ceiling
      alternate, ROUNDS times, on fresh stores; prints each round and min / median / max. PostgreSQL runs on a
      throwaway cluster (initdb, pg_ctl on a loopback port; as user postgres when run as root). The request bodies
      are encoded before the clock starts; each round also gives the server's CPU time per event (user + system,
      from /proc, over the events phase), which moves far less with the machine's load than events/s.
"""
import argparse
import http.client
import json
import os
import pathlib
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "bench-data"
EXPERIMENT = "gym-renewal-2026"


class Server:
    def __init__(self, strata, database, directory):
        experiments = directory / "experiments"
        experiments.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "experiments" / "gym-renewal.yaml", experiments / "gym-renewal.yaml")
        self.log_path = directory / "serve.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [strata, "serve", "--experiments", str(experiments), "--database", database, "--port", "0",
             "--rate-limit", "0"] + (["--audit-key", str(directory / "audit.key")] if database.startswith("postgres")
                                     else []), stdout=subprocess.DEVNULL, stderr=self.log)
        self.port = None
        deadline = time.time() + 7200  # a start over stored rows builds the live totals first
        while self.port is None and time.time() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"strata serve exited: {self.log_path.read_text()}")
            for line in self.log_path.read_text().splitlines():
                if json.loads(line).get("message") == "listening":
                    self.port = json.loads(line)["port"]
            time.sleep(0.05)
        while self.request("GET", "/readyz")[0] != 200:
            time.sleep(0.05)

    def request(self, method, path, body=None, connection=None):
        own = connection is None
        connection = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        data = response.read()
        if own:
            connection.close()
        return response.status, data

    def cpu_seconds(self):
        """The server's CPU time so far (user + system, Linux /proc; None elsewhere): unlike events/s, it hardly
        moves with the machine's load."""
        try:
            fields = pathlib.Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def stop(self):
        self.process.terminate()
        assert self.process.wait(timeout=120) == 0, self.log_path.read_text()


def results(args):
    directory = DATA / ("results" if args.rows < 10_000_000 else "results-10m")
    path = directory / "strata.db"
    if args.reuse and path.exists():
        return timings(args, directory, path, started=time.time())
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    Server(args.strata, f"sqlite:{path}", directory).stop()  # migrates the schema
    rng = random.Random(20261203)
    variants = ["control", "reminder_progress", "reminder_social"]
    segments = ["high", "medium", "low"]
    started = time.time()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA synchronous = OFF")
        exposures, events = [], []
        for n in range(args.rows):
            unit = f"B{n:09d}"
            variant = variants[rng.randrange(3)]
            exposures.append((unit, EXPERIMENT, variant, segments[rng.randrange(3)],
                              f"2026-11-{1 + n % 28:02d} 09:{n % 60:02d}:00.000", "bench"))
            if rng.random() < 0.58 + 0.02 * variants.index(variant):
                events.append((f"r{n:09d}", unit, "renewed", 1.0, "2026-12-01 10:00:00.000"))
                events.append((f"v{n:09d}", unit, "revenue", 300.0 + rng.randrange(200), "2026-12-01 10:00:00.000"))
            if len(exposures) >= 200_000:
                db.executemany("INSERT INTO exposures (unit_id, experiment_id, variant, segment, exposed_at, "
                               "definition_hash) VALUES (?, ?, ?, ?, ?, ?)", exposures)
                db.executemany("INSERT INTO events (event_id, unit_id, metric, value, occurred_at) "
                               "VALUES (?, ?, ?, ?, ?)", events)
                exposures, events = [], []
        db.executemany("INSERT INTO exposures (unit_id, experiment_id, variant, segment, exposed_at, "
                       "definition_hash) VALUES (?, ?, ?, ?, ?, ?)", exposures)
        db.executemany("INSERT INTO events (event_id, unit_id, metric, value, occurred_at) VALUES (?, ?, ?, ?, ?)",
                       events)
        db.execute("ANALYZE")
        counts = db.execute("SELECT (SELECT count(*) FROM exposures), (SELECT count(*) FROM events)").fetchone()
    print(json.dumps({"loaded_exposures": counts[0], "loaded_events": counts[1],
                      "load_seconds": round(time.time() - started, 1),
                      "database_bytes": path.stat().st_size}), flush=True)
    if args.load_only:
        return
    timings(args, directory, path, started)


def timings(args, directory, path, started):
    sql = subprocess.run([args.strata, "sql", "--experiment", str(ROOT / "experiments" / "gym-renewal.yaml"),
                          "--dialect", "sqlite", "--exposures", "exposures", "--events", "events"],
                         check=True, capture_output=True, text=True).stdout
    # The rows were written behind the service's back: once ready, the service builds the running cell totals
    # (LiveTotals) from every stored unit in the background (the log says when); then requests read them. With
    # --reuse the totals are current: the start builds nothing (the log says nothing).
    started = time.perf_counter()
    server = Server(args.strata, f"sqlite:{path}", directory)
    ready = time.perf_counter() - started
    build = None
    time.sleep(1)  # the builder's first pass starts once the service is ready; a build counts itself at its start
    if "strata_live_totals_builds_total" in server.request("GET", "/metrics")[1].decode():
        deadline = time.time() + 7200
        while "running totals built" not in server.log_path.read_text():
            assert time.time() < deadline
            time.sleep(0.2)
        build = time.perf_counter() - started
    time.sleep(2.5)  # past two reload intervals: passes that find nothing to do log nothing
    builds_logged = server.log_path.read_text().count("running totals built")

    def timed():
        start = time.perf_counter()
        status, body = server.request("GET", f"/v1/experiments/{EXPERIMENT}/results")
        assert status == 200, body[:500]
        return time.perf_counter() - start, json.loads(body)

    try:
        timings = [timed()[0] for _ in range(3)]
        # Units sent through the API update the totals in their ingestion transaction.
        assigned = []
        for start_index in range(0, args.after, 1000):
            units = [{"unit": f"A{n:09d}", "attributes": {"marketing_opt_in": True, "membership_months": 12,
                                                          "status": "active", "checkins_90d": 10}}
                     for n in range(start_index, min(start_index + 1000, args.after))]
            status, body = server.request("POST", "/v1/assign", json.dumps({"experiment": EXPERIMENT, "units": units}))
            assert status == 200, body[:500]
            assigned += json.loads(body)["assignments"]
        for start_index in range(0, len(assigned), 1000):
            chunk = assigned[start_index:start_index + 1000]
            exposures = [{"id": f"api-{a['unit']}", "experiment": EXPERIMENT, "unit": a["unit"],
                          "variant": a["variant"], "segment": a["segment"]} for a in chunk]
            events = [{"id": f"api-r-{a['unit']}", "unit": a["unit"], "metric": "renewed", "value": 1}
                      for a in chunk[::2]]
            for kind, items in [("exposures", exposures), ("events", events)]:
                status, body = server.request("POST", f"/v1/{kind}", json.dumps({kind: items}))
                assert status == 200, body[:500]
        after = [timed() for _ in range(3)]
        units = after[-1][1]["srm"]["overall"]["observed"]
    finally:
        server.stop()
    query = []
    if not args.skip_query:
        with sqlite3.connect(path) as db:
            for _ in range(3):
                start = time.perf_counter()
                db.execute(sql).fetchall()
                query.append(time.perf_counter() - start)
    print(json.dumps({"rows": args.rows, "units_analysed": units, "start_ready_seconds": round(ready, 3),
                      "totals_built_seconds_after_start": None if build is None else round(build, 3),
                      "build_passes_logged": builds_logged,
                      "results_seconds": [round(t, 3) for t in timings],
                      "results_after_api_ingestion_seconds": [round(t, 3) for t, _ in after],
                      "query_only_seconds": [round(t, 3) for t in query],
                      "sqlite": sqlite3.sqlite_version}))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Postgres:
    def __init__(self):
        versions = sorted(pathlib.Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not versions:
            sys.exit("PostgreSQL is not installed (apt-get install -y postgresql)")
        self.bin = versions[-1].parent
        self.directory = pathlib.Path(tempfile.mkdtemp(prefix="strata-bench-pg-"))
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self.port = free_port()
        data = self.directory / "data"
        subprocess.run(self.as_user + [str(self.bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
                       check=True, capture_output=True)
        subprocess.run(self.as_user + [str(self.bin / "pg_ctl"), "-D", str(data), "-w", "-l",
                                       str(self.directory / "log"), "-o",
                                       f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1", "start"],
                       check=True, capture_output=True)

    def psql(self, sql, database="postgres"):
        subprocess.run([str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                        "-d", database, "-c", sql], check=True, capture_output=True)

    def stop(self):
        subprocess.run(self.as_user + [str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate",
                                       "stop"], capture_output=True)
        shutil.rmtree(self.directory, ignore_errors=True)


def event_bodies(batches):
    """The request bodies, encoded before the clock starts: the client shares the machine's cores with the server,
    and the bare loop makes its rows in-process too."""
    return [json.dumps({"events": [{"id": f"bench-{index}-{k}", "unit": f"U{(index * 100 + k) % 1000}",
                                    "metric": "revenue", "value": k + 0.5, "time": "2026-12-03T10:00:00Z"}
                                   for k in range(100)]}).encode()
            for index in range(batches)]


def send(server, bodies, counter, lock, sent):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    while True:
        with lock:
            index = counter[0]
            counter[0] += 1
        if index >= len(bodies):
            break
        status, body = server.request("POST", "/v1/events", bodies[index], connection)
        assert status == 200, body
        with lock:
            sent[0] += json.loads(body)["stored"]
    connection.close()


def expose_units(server, count):
    """Exposes units U0..U{count-1} through the API (assigned by the service), so that every benchmark event
    touches an exposed unit and the service recomputes its running totals, as it does in production."""
    units = [{"unit": f"U{n}", "attributes": {"marketing_opt_in": True, "membership_months": 12, "status": "active",
                                              "checkins_90d": n % 60}} for n in range(count)]
    status, body = server.request("POST", "/v1/assign", json.dumps({"experiments": [EXPERIMENT], "units": units}))
    assert status == 200, body[:500]
    exposures = [{"id": f"expose-{a['unit']}", "experiment": EXPERIMENT, "unit": a["unit"], "variant": a["variant"],
                  "segment": a["segment"]}
                 for a in json.loads(body)["assignments"] if a.get("variant") and a["experiment"] == EXPERIMENT]
    status, body = server.request("POST", "/v1/exposures", json.dumps({"exposures": exposures}))
    assert status == 200, body[:500]
    return len(exposures)


def ingest_round(args, directory):
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    postgres = Postgres() if args.backend == "postgres" else None
    try:
        if postgres:
            postgres.psql("CREATE DATABASE api")
            postgres.psql("CREATE DATABASE ceiling")
            database = f"postgresql://postgres@127.0.0.1:{postgres.port}/api"
        else:
            database = f"sqlite:{directory / 'api.db'}"
        server = Server(args.strata, database, directory)
        exposed = expose_units(server, 1000)
        counter, sent, lock = [0], [0], threading.Lock()
        bodies = event_bodies(args.batches)
        cpu_before = server.cpu_seconds()
        start = time.perf_counter()
        threads = [threading.Thread(target=send, args=(server, bodies, counter, lock, sent))
                   for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        api_seconds = time.perf_counter() - start
        cpu_after = server.cpu_seconds()
        server.stop()
        assert sent[0] == args.batches * 100
        # The ceiling writes into a fresh store of the same schema (migrated by the service), without the triggers
        # that count writes made behind the service's back (the API pays for their check: it counts as its cost).
        if postgres:
            Server(args.strata, f"postgresql://postgres@127.0.0.1:{postgres.port}/ceiling", directory).stop()
            postgres.psql("DROP TRIGGER IF EXISTS events_outside_write ON events", database="ceiling")
            ceiling = subprocess.run([args.ceiling, "postgres", "127.0.0.1", str(postgres.port), "postgres", "ceiling",
                                      str(args.batches)], check=True, capture_output=True, text=True).stdout
        else:
            Server(args.strata, f"sqlite:{directory / 'ceiling.db'}", directory).stop()
            with sqlite3.connect(directory / "ceiling.db") as db:
                for action in ["insert", "update", "delete"]:
                    db.execute(f"DROP TRIGGER IF EXISTS events_outside_{action}")
            ceiling = subprocess.run([args.ceiling, "sqlite", str(directory / "ceiling.db"), str(args.batches)],
                                     check=True, capture_output=True, text=True).stdout
    finally:
        if postgres:
            postgres.stop()
    bare = json.loads(ceiling)["events_per_second"]
    api = sent[0] / api_seconds
    return {"exposed_units": exposed, "api_events_per_second": round(api), "ceiling_events_per_second": round(bare),
            "ratio": round(api / bare, 3), "load_average": os.getloadavg()[0],
            "server_cpu_us_per_event": None if cpu_before is None or cpu_after is None
            else round((cpu_after - cpu_before) / sent[0] * 1e6, 2)}


def ingest(args):
    rounds = []
    for index in range(args.rounds):
        row = ingest_round(args, DATA / f"ingest-{args.backend}")
        print(json.dumps({"round": index + 1, **row}), flush=True)
        rounds.append(row)

    def spread(key):
        values = sorted(row[key] for row in rounds)
        return [values[0], values[len(values) // 2] if len(values) % 2 else
                round((values[len(values) // 2 - 1] + values[len(values) // 2]) / 2, 3), values[-1]]
    print(json.dumps({"backend": args.backend, "batches": args.batches, "batch_size": 100, "clients": args.clients,
                      "rounds": args.rounds, "min_median_max": {key: spread(key) for key in
                                                                ("api_events_per_second", "ceiling_events_per_second",
                                                                 "ratio", "server_cpu_us_per_event")
                                                                if None not in (row[key] for row in rounds)}}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strata", default=str(ROOT / ".build" / "release" / "strata"))
    parser.add_argument("--ceiling", default=str(ROOT / ".build" / "release" / "ingest-ceiling"))
    commands = parser.add_subparsers(dest="command", required=True)
    r = commands.add_parser("results")
    r.add_argument("rows", type=int)
    r.add_argument("--load-only", action="store_true", help="write the rows and stop (time them later with --reuse)")
    r.add_argument("--reuse", action="store_true",
                   help="time again over the rows a previous run left in bench-data/ (no load)")
    r.add_argument("--skip-query", action="store_true",
                   help="do not time the event-level query alone (minutes at 10 M exposures)")
    r.add_argument("--after", type=int, default=1000,
                   help="exposures (with events) sent through the API after the totals are built, then timed again")
    i = commands.add_parser("ingest")
    i.add_argument("backend", choices=["sqlite", "postgres"])
    i.add_argument("--batches", type=int, default=2000)
    i.add_argument("--clients", type=int, default=8)
    i.add_argument("--rounds", type=int, default=3, help="API then ceiling, this many times (fresh stores each)")
    args = parser.parse_args()
    results(args) if args.command == "results" else ingest(args)


if __name__ == "__main__":
    main()
