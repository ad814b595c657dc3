#!/usr/bin/env python3
"""The service walk-through of Scripts/main.sh (standard library only): starts `strata serve` on the embedded
SQLite default, sends the bundled gym-renewal campaign through the API (exposures, then events), prints the live
result (an interim view: viewing is not a look) and saves the dashboard page (GET /), records planned look 1,
checks that the result at that look is what `strata analyze` says of the campaign's CSV, and stops the server
with SIGTERM.

The bundled CSV was simulated without the assignment hash, so its member ids are not the ones the definition
gives those variants. Each row is sent under a unit id that the service assigns the row's variant in the row's
segment (found with POST /v1/assign), keeping the row's outcomes: the same campaign, ids aside.

Usage: service_walkthrough.py STRATA_BINARY OUTPUT_DIR"""
import csv
import json
import pathlib
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXPERIMENT = "gym-renewal-2026"
CHECKINS = {"high": 30, "medium": 10, "low": 1}  # checkins_90d that puts a member in each segment


def call(method, url, key, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"X-API-Key": key})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def new_key(strata, keys, role):
    out = subprocess.run([strata, "keys", "new", "--role", role, "--name", f"walkthrough-{role}", "--keys", str(keys)],
                         check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


def start(strata, directory, keys):
    log = open(directory / "serve.log", "w+")
    process = subprocess.Popen(
        [strata, "serve", "--experiments", str(ROOT / "experiments"), "--database", f"sqlite:{directory / 'strata.db'}",
         "--port", "0", "--keys", str(keys)], stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit(f"strata serve exited {process.returncode}: {(directory / 'serve.log').read_text()}")
        for line in (directory / "serve.log").read_text().splitlines():
            record = json.loads(line)
            if record.get("message") == "listening":
                url = f"http://127.0.0.1:{record['port']}"
                while call("GET", url + "/readyz", "")[0] != 200:
                    time.sleep(0.05)
                return process, url
        time.sleep(0.05)
    process.kill()
    sys.exit("strata serve did not start within 60 s")


def unit_ids(url, key, rows):
    """A unit id per row that the definition assigns the row's variant in the row's segment."""
    wanted = {}
    for row in rows:
        wanted.setdefault((row["segment"], row["variant"]), []).append(row)
    found = {cell: [] for cell in wanted}
    next_id = 0
    while any(len(found[cell]) < len(wanted[cell]) for cell in wanted):
        units = []
        for _ in range(20_000):
            segment = ["high", "medium", "low"][next_id % 3]
            units.append({"unit": f"W{next_id:06d}", "attributes": {
                "marketing_opt_in": True, "membership_months": 12, "status": "active",
                "checkins_90d": CHECKINS[segment]}})
            next_id += 1
        status, body = call("POST", url + "/v1/assign", key, {"experiment": EXPERIMENT, "units": units})
        assert status == 200, body
        for item in json.loads(body)["assignments"]:
            cell = (item["segment"], item["variant"])
            if cell in found and len(found[cell]) < len(wanted[cell]):
                found[cell].append(item["unit"])
    ids = {}
    for cell, cell_rows in wanted.items():
        for row, unit in zip(cell_rows, found[cell]):
            ids[id(row)] = unit
    return [ids[id(row)] for row in rows]


def send(url, key, kind, items):
    stored = 0
    for start_index in range(0, len(items), 1000):
        status, body = call("POST", f"{url}/v1/{kind}", key, {kind: items[start_index:start_index + 1000]})
        assert status == 200, body
        stored += json.loads(body)["stored"]
    return stored


def agree(a, b):
    """Equal JSON (`a` the CSV's, `b` the service's), numbers within 1e-9 relative (the CSV reader keeps
    Welford moments, the database sums); the values `missing: zero` counted as 0 (`zero_filled_*`) included."""
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and \
            abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-300)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(agree(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(agree(x, y) for x, y in zip(a, b))
    return a == b


def campaign_rows():
    """The bundled campaign's rows the service accepts, and the rows it would refuse.

    The bundled CSV holds three rows that `strata analyze` drops (an unknown variant, "yes" for renewed, a
    repeated member); the service would refuse the first two (returned as `bad`), and a repeated member is
    sent once."""
    variants = {"control", "reminder_progress", "reminder_social"}
    rows, seen, bad = [], set(), []
    for row in csv.DictReader(open(ROOT / "experiments" / "data" / "gym-renewal.csv")):
        if row["variant"] not in variants or row["renewed"] not in ("0", "1"):
            bad.append(row)
        elif row["member_id"] not in seen:
            seen.add(row["member_id"])
            rows.append(row)
    return rows, bad


def campaign_items(units, rows):
    """The exposures and events of the campaign's `rows`, sent for the service's `units` (one per row).

    What the CSV holds is sent: a renewal event of 0 or 1 for every member (the CSV has no empty `renewed`), a
    revenue event where the CSV has a revenue; an empty revenue (members who did not renew) has no event, and
    the service counts it as 0 (`missing: zero`) and as filled, as `strata analyze` counts the empty cell."""
    exposures = [{"id": f"exposure-{unit}", "experiment": EXPERIMENT, "unit": unit, "variant": row["variant"],
                  "segment": row["segment"], "time": "2026-11-02T09:00:00Z"} for unit, row in zip(units, rows)]
    events = []
    for unit, row in zip(units, rows):
        events.append({"id": f"renewed-{unit}", "unit": unit, "metric": "renewed", "value": int(row["renewed"]),
                       "time": "2026-11-20T18:30:00Z"})
        if row["revenue"]:
            events.append({"id": f"revenue-{unit}", "unit": unit, "metric": "revenue",
                           "value": float(row["revenue"]), "time": "2026-11-20T18:30:00Z"})
    return exposures, events


def main():
    strata, output = sys.argv[1], pathlib.Path(sys.argv[2])
    output.mkdir(parents=True, exist_ok=True)
    for name in ["strata.db", "strata.db-wal", "strata.db-shm", "keys.jsonl"]:
        (output / name).unlink(missing_ok=True)
    keys = output / "keys.jsonl"
    server_key, viewer_key, admin_key = (new_key(strata, keys, role) for role in ["server", "viewer", "admin"])
    process, url = start(strata, output, keys)
    try:
        rows, bad = campaign_rows()
        status, body = call("POST", url + "/v1/exposures", server_key, {"exposures": [
            {"id": "bad-1", "experiment": EXPERIMENT, "unit": "M1", "variant": bad[0]["variant"], "segment": "low"}]})
        print(f"A row with variant \"{bad[0]['variant']}\" is refused: {status} {json.loads(body)['error']['message']}")
        units = unit_ids(url, server_key, rows)
        exposures, events = campaign_items(units, rows)
        print(f"Sent {send(url, server_key, 'exposures', exposures)} exposures and "
              f"{send(url, server_key, 'events', events)} events (batches of 1,000) to {url}.")
        again = send(url, server_key, "exposures", exposures[:1000])
        print(f"Sent the first batch again (a client retry): {again} stored, the rest counted as duplicates.")

        status, body = call("GET", f"{url}/v1/experiments/{EXPERIMENT}/results", viewer_key)
        assert status == 200, body
        live = json.loads(body)
        units_per_variant = live["srm"]["overall"]["observed"]
        print(f"\nGET /v1/experiments/{EXPERIMENT}/results (view: {live['service']['view']}; "
              f"{live['service']['exposures_stored']} units stored):")
        print("  units per variant: " + ", ".join(f"{k} {v}" for k, v in units_per_variant.items())
              + f" (sample-ratio p = {live['srm']['overall']['p_value']:.3g})")
        print(f"  {live['verdict']['headline']}")
        status, html = call("GET", f"{url}/v1/experiments/{EXPERIMENT}/results.html", viewer_key)
        assert status == 200
        (output / f"{EXPERIMENT}.live.html").write_bytes(html)
        status, page = call("GET", f"{url}/", viewer_key)
        assert status == 200 and b"Interim view, not a planned look." in page, page[:300]
        (output / "dashboard.html").write_bytes(page)

        status, body = call("POST", f"{url}/v1/experiments/{EXPERIMENT}/looks", admin_key)
        assert status == 200, body
        look = json.loads(body)
        print(f"\nPOST /v1/experiments/{EXPERIMENT}/looks: look {look['service']['look']} "
              f"{look['service']['look_action']}.")
        print(f"  {look['verdict']['headline']}")

        cli = json.loads(subprocess.run(
            [strata, "analyze", "--experiment", str(ROOT / "experiments" / "gym-renewal.yaml"), "--data",
             str(ROOT / "experiments" / "data" / "gym-renewal.csv"), "--no-look-log", "--look", "1", "--json"],
            check=True, capture_output=True, text=True).stdout)
        filled = [f"{m['column']} {m['units']}" for m in look["data"]["missing_values"] or [] if m["policy"] == "zero"]
        print("  Units whose empty value was counted as 0 (missing: zero): " + (", ".join(filled) or "none") + "; "
              + ("the same as" if look["data"]["missing_values"] == cli["data"]["missing_values"] else "NOT as")
              + " `strata analyze` of the CSV counts them.")
        same = all(agree(cli[key], look[key]) for key in ["srm", "results", "pooled", "verdict", "decision"]) \
            and look["data"]["missing_values"] == cli["data"]["missing_values"]
        print("  The same results, verdict and decision as `strata analyze --look 1` of the campaign's CSV: "
              + ("yes." if same else "NO (see the two JSON documents)."))
        if not same:
            (output / "live-look-1.json").write_bytes(body)
            (output / "cli-look-1.json").write_text(json.dumps(cli, indent=1))
            where = next((key for key in ["srm", "results", "pooled", "verdict", "decision"]
                          if not agree(cli[key], look[key])), "data.missing_values")
            print(f"service_walkthrough: the service's look 1 differs from `strata analyze --look 1` in `{where}`; "
                  f"compare {output / 'cli-look-1.json'} with {output / 'live-look-1.json'}", file=sys.stderr)
            sys.exit(1)
        print(f"\nLive report: {output / (EXPERIMENT + '.live.html')}; dashboard (GET /): {output / 'dashboard.html'}")
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    print(f"strata serve stopped (SIGTERM, exit {code}); its database is {output / 'strata.db'}.")
    if code != 0:
        sys.exit(code)


if __name__ == "__main__":
    main()
