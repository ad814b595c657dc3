#!/usr/bin/env python3
"""A soak of `strata serve` (run by hand; figures in docs/service.md). Python standard library only.

  service_soak.py [--strata BIN] [--minutes 10] [--sample 5] [--postgres]

Starts `strata serve` on a loopback port with a fresh SQLite store in bench-data/soak/ (with --postgres: a fresh
database on a throwaway PostgreSQL cluster, started as in ingest_bench.py: initdb and pg_ctl on a loopback port,
as user postgres when run as root, stopped and removed at the end) (the bundled
gym-renewal-2026 definition, no keys: loopback), then for --minutes sends a bounded, paced mix from keep-alive
clients, each at a fixed rate (it never sends faster, and waits for each answer):

  - 2 evaluation clients: OFREP single-flag evaluations of new units, 100/s each;
  - 1 exposure client: 5/s, each a POST /v1/assign of 50 new units then their exposures (POST /v1/exposures,
    client ids), every 20th batch sent twice (the retry must store nothing);
  - 2 event clients: 5 batches/s each of 100 events (renewed, revenue) of units already exposed;
  - 1 reader: GET /v1/experiments/gym-renewal-2026/results every 2 s.

Every --sample seconds it records the server's resident memory (VmRSS) and the load average (with --postgres also
the summed VmRSS of the cluster's processes, which counts their shared buffers once per process). At the end it
checks, in the SQLite file or the PostgreSQL database, that every acknowledged exposure id and event id is stored exactly once (ids are
unique keys, so "once" is a count: stored rows with an acknowledged id = acknowledged ids), that nothing
unacknowledged was stored (a request cut off by the client), and that the live results count the units the
exposures table holds. Prints one JSON object; exits 1 when an error or a lost item was seen.
"""
import argparse
import http.client
import json
import pathlib
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from ingest_bench import DATA, EXPERIMENT, ROOT, Postgres, Server  # noqa: E402


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = {}
        self.errors = []
        self.exposure_ids = set()
        self.event_ids = set()
        self.exposed = []  # acknowledged exposed units
        self.latencies = {}

    def record(self, kind, status, seconds, detail=""):
        with self.lock:
            self.requests[kind] = self.requests.get(kind, 0) + 1
            self.latencies.setdefault(kind, []).append(seconds)
            if status != 200 and len(self.errors) < 50:
                self.errors.append(f"{kind}: {status} {detail[:200]}")


def paced(rate, stop, body):
    """Calls body() at most `rate` times a second until stop is set."""
    interval = 1.0 / rate
    next_at = time.monotonic()
    while not stop.is_set():
        body()
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            stop.wait(delay)
        else:
            next_at = time.monotonic()  # behind: never burst to catch up


def connection(server):
    return http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)


def call(server, conn, stats, kind, method, path, body=None):
    start = time.perf_counter()
    try:
        status, data = server.request(method, path, body, conn[0])
    except (OSError, http.client.HTTPException) as error:
        stats.record(kind, -1, time.perf_counter() - start, repr(error))
        conn[0].close()
        conn[0] = connection(server)
        return -1, b""
    stats.record(kind, status, time.perf_counter() - start, data.decode(errors="replace"))
    return status, data


def attributes(rng):
    return {"marketing_opt_in": True, "membership_months": 12, "status": "active", "checkins_90d": rng.randrange(60)}


def evaluator(server, stats, stop, seed):
    rng = random.Random(seed)
    conn = [connection(server)]

    def one():
        body = json.dumps({"context": dict(attributes(rng), targetingKey=f"E{seed}-{rng.randrange(10**9)}")})
        call(server, conn, stats, "evaluation", "POST", f"/ofrep/v1/evaluate/flags/{EXPERIMENT}", body)
    paced(100, stop, one)


def exposer(server, stats, stop):
    rng = random.Random(1)
    conn = [connection(server)]
    batch = [0]

    def one():
        n = batch[0]
        batch[0] += 1
        units = [{"unit": f"S{n:07d}-{k}", "attributes": attributes(rng)} for k in range(50)]
        status, data = call(server, conn, stats, "assign", "POST", "/v1/assign",
                            json.dumps({"experiments": [EXPERIMENT], "units": units}))
        if status != 200:
            return
        exposures = [{"id": f"x-{a['unit']}", "experiment": EXPERIMENT, "unit": a["unit"], "variant": a["variant"],
                      "segment": a["segment"]} for a in json.loads(data)["assignments"] if a.get("variant")]
        body = json.dumps({"exposures": exposures})
        status, data = call(server, conn, stats, "exposures", "POST", "/v1/exposures", body)
        if status == 200:
            with stats.lock:
                stats.exposure_ids.update(e["id"] for e in exposures)
                stats.exposed.extend(e["unit"] for e in exposures)
        if n % 20 == 0:
            status, data = call(server, conn, stats, "exposures_retry", "POST", "/v1/exposures", body)
            if status == 200 and json.loads(data)["stored"] != 0:
                stats.record("exposures_retry", 500, 0, f"a retried batch stored something: {data[:200]}")
    paced(5, stop, one)


def eventer(server, stats, stop, seed):
    rng = random.Random(seed)
    conn = [connection(server)]
    batch = [0]

    def one():
        with stats.lock:
            units = rng.sample(stats.exposed, min(50, len(stats.exposed)))
        if not units:
            return
        n = batch[0]
        batch[0] += 1
        events = []
        for k, unit in enumerate(units):
            events.append({"id": f"r{seed}-{n}-{k}", "unit": unit, "metric": "renewed", "value": 1})
            events.append({"id": f"v{seed}-{n}-{k}", "unit": unit, "metric": "revenue",
                           "value": 300 + rng.randrange(200) + 0.5})
        status, data = call(server, conn, stats, "events", "POST", "/v1/events", json.dumps({"events": events}))
        if status == 200:
            with stats.lock:
                stats.event_ids.update(e["id"] for e in events)
    paced(5, stop, one)


def reader(server, stats, stop):
    conn = [connection(server)]

    def one():
        with stats.lock:
            if not stats.exposed:  # nothing to analyse yet (409)
                return
        call(server, conn, stats, "results", "GET", f"/v1/experiments/{EXPERIMENT}/results")
    paced(0.5, stop, one)


def rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cluster_rss_kib(postgres):
    """The summed VmRSS of a throwaway cluster's postmaster and its children."""
    try:
        postmaster = int((postgres.directory / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    total = rss_kib(postmaster)
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == postmaster:
                total += rss_kib(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return total


def stored_rows(path, postgres):
    """The stored exposure ids, event ids, and (exposed units, exposure rows) of the experiment."""
    queries = ["SELECT id FROM exposure_ids", "SELECT event_id FROM events",
               f"SELECT count(DISTINCT unit_id), count(*) FROM exposures WHERE experiment_id = '{EXPERIMENT}'"]
    if postgres is None:
        with sqlite3.connect(path) as db:
            ids = [{row[0] for row in db.execute(sql)} for sql in queries[:2]]
            return ids[0], ids[1], db.execute(queries[2]).fetchone()

    def psql(sql):
        return subprocess.run([str(postgres.bin / "psql"), "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres",
                               "-d", "soak", "-At", "-F", "\t", "-c", sql],
                              check=True, capture_output=True, text=True).stdout.splitlines()
    units, rows = psql(queries[2])[0].split("\t")
    return set(psql(queries[0])), set(psql(queries[1])), (int(units), int(rows))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strata", default=str(ROOT / ".build" / "release" / "strata"))
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--sample", type=float, default=5)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL cluster instead of SQLite")
    args = parser.parse_args()
    directory = DATA / ("soak-postgres" if args.postgres else "soak")
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    path = directory / "strata.db"
    postgres = Postgres() if args.postgres else None
    try:
        return soak(args, directory, path, postgres)
    finally:
        if postgres:
            postgres.stop()


def soak(args, directory, path, postgres):
    if postgres:
        postgres.psql("CREATE DATABASE soak")
        server = Server(args.strata, f"postgresql://postgres@127.0.0.1:{postgres.port}/soak", directory)
    else:
        server = Server(args.strata, f"sqlite:{path}", directory)
    stats = Stats()
    stop = threading.Event()
    try:
        threads = [threading.Thread(target=evaluator, args=(server, stats, stop, s)) for s in (1, 2)]
        threads.append(threading.Thread(target=exposer, args=(server, stats, stop)))
        threads += [threading.Thread(target=eventer, args=(server, stats, stop, s)) for s in (3, 4)]
        threads.append(threading.Thread(target=reader, args=(server, stats, stop)))
        started = time.monotonic()
        for thread in threads:
            thread.start()
        samples = []
        end = started + args.minutes * 60
        while time.monotonic() < end:
            load = pathlib.Path("/proc/loadavg").read_text().split()[:3]
            with stats.lock:
                done = sum(stats.requests.values())
            samples.append({"t": round(time.monotonic() - started, 1),
                            "rss_mib": round(rss_kib(server.process.pid) / 1024, 1),
                            "load": [float(x) for x in load], "requests": done})
            if postgres:
                samples[-1]["postgres_rss_mib"] = round(cluster_rss_kib(postgres) / 1024, 1)
            time.sleep(min(args.sample, max(0, end - time.monotonic())))
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        # The live results (running totals) count the units the exposures table holds.
        status, data = server.request("GET", f"/v1/experiments/{EXPERIMENT}/results")
        observed = json.loads(data)["srm"]["overall"]["observed"] if status == 200 else None
        live_units = sum(observed.values() if isinstance(observed, dict) else observed) if observed else None
        rss_end = rss_kib(server.process.pid) / 1024
        server.stop()
    finally:
        stop.set()
        if server.process.poll() is None:  # an error above: do not leave the server running
            server.process.kill()
    stored_exposure_ids, stored_event_ids, unit_rows = stored_rows(path, postgres)
    lost_exposures = len(stats.exposure_ids - stored_exposure_ids)
    lost_events = len(stats.event_ids - stored_event_ids)
    steady = [s["rss_mib"] for s in samples if s["t"] >= 60]
    half = [s for s in samples if s["t"] >= elapsed / 2]
    slope = None
    if len(half) >= 2:
        ts = [s["t"] for s in half]
        rs = [s["rss_mib"] for s in half]
        mt, mr = sum(ts) / len(ts), sum(rs) / len(rs)
        slope = sum((t - mt) * (r - mr) for t, r in zip(ts, rs)) / max(1e-9, sum((t - mt) ** 2 for t in ts))
    report = {
        "backend": "postgres" if postgres else "sqlite",
        "minutes": round(elapsed / 60, 2),
        "requests": stats.requests,
        "requests_per_second": round(sum(stats.requests.values()) / elapsed, 1),
        "latency_p50_ms": {k: round(sorted(v)[len(v) // 2] * 1000, 2) for k, v in stats.latencies.items()},
        "latency_p99_ms": {k: round(sorted(v)[int(len(v) * 0.99)] * 1000, 2) for k, v in stats.latencies.items()},
        "errors": stats.errors,
        "acknowledged": {"exposures": len(stats.exposure_ids), "events": len(stats.event_ids)},
        "lost": {"exposures": lost_exposures, "events": lost_events},
        "stored_unacknowledged": {"exposures": len(stored_exposure_ids - stats.exposure_ids),
                                  "events": len(stored_event_ids - stats.event_ids)},
        "exposed_units": unit_rows[0], "exposure_rows": unit_rows[1], "live_results_units": live_units,
        "rss_mib": {"first": samples[0]["rss_mib"], "at_1_min": steady[0] if steady else None,
                    "max_after_1_min": max(steady) if steady else None, "end": round(rss_end, 1),
                    "slope_mib_per_min_second_half": round(slope * 60, 3) if slope is not None else None},
        "postgres_rss_mib": {"first": samples[0]["postgres_rss_mib"], "max": max(s["postgres_rss_mib"] for s in samples),
                             "last": samples[-1]["postgres_rss_mib"]} if postgres else None,
        "load_average": {"min": min(s["load"][0] for s in samples), "max": max(s["load"][0] for s in samples),
                         "median": sorted(s["load"][0] for s in samples)[len(samples) // 2]},
        "samples": samples,
    }
    print(json.dumps(report))
    ok = not stats.errors and lost_exposures == 0 and lost_events == 0 and live_units == unit_rows[0]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
