"""Ingestion through real servers: PostgreSQL storage, and durability under SIGKILL in the middle of a load run
(every acknowledged item is stored exactly once after a restart)."""
import concurrent.futures
import json
import signal
import sqlite3
import threading
import time
import uuid

import requests

from conftest import Server
from test_contract import postgres, postgres_binaries, postgres_server  # noqa: F401 (fixtures)

EXPERIMENT = "banner-on"  # one segment, no rules: an exposure needs only the unit and its variant


def variants_of(server, key, units):
    response = requests.post(
        f"{server.url}/v1/assign",
        json={"units": [{"unit": unit} for unit in units], "experiment": EXPERIMENT},
        headers={"X-API-Key": key},
    )
    response.raise_for_status()
    return {item["unit"]: item["variant"] for item in response.json()["assignments"]}


def test_postgresql_ingestion(workspace, postgres):
    experiments, keys, made = workspace
    server, psql, _ = postgres_server(workspace, postgres)
    headers = {"X-API-Key": made["server"]}
    try:
        variants = variants_of(server, made["server"], [f"u-{i}" for i in range(20)])
        exposures = [
            {"id": f"x-{i}", "experiment": EXPERIMENT, "unit": f"u-{i}", "variant": variants[f"u-{i}"],
             "time": "2026-12-01T10:00:00Z"}
            for i in range(20)
        ]
        repeat = dict(exposures[0], id="x-repeat", time="2026-11-30T10:00:00.125+01:00")
        events = [{"id": f"e-{i}", "unit": f"u-{i}", "metric": "renewed", "value": 1} for i in range(10)]
        first = requests.post(f"{server.url}/v1/exposures", json={"exposures": exposures + [repeat]}, headers=headers)
        assert first.status_code == 200, first.text
        assert first.json() == {"received": 21, "stored": 21, "duplicates": 0, "refused_no_consent": 0}
        again = requests.post(f"{server.url}/v1/exposures", json={"exposures": exposures}, headers=headers)
        assert again.json()["duplicates"] == 20
        stored = requests.post(f"{server.url}/v1/events", json={"events": events + events[:2]}, headers=headers)
        assert stored.json() == {"received": 12, "stored": 10, "duplicates": 2, "refused_no_consent": 0}
        # The dashboard reads the same store: units exposed, repeats and events per variant. banner-on has no
        # metric (its units' events count for gym-renewal-2026, which reads "renewed"), so its events show 0.
        gym = requests.post(f"{server.url}/v1/assign", headers=headers, json={"experiment": "gym-renewal-2026", "units": [
            {"unit": f"u-{i}", "attributes": {"marketing_opt_in": True, "membership_months": 12, "status": "active",
                                              "checkins_90d": 30}} for i in range(20)]}).json()["assignments"]
        gym_exposures = [{"id": f"g-{item['unit']}", "experiment": "gym-renewal-2026", "unit": item["unit"],
                          "variant": item["variant"], "segment": item["segment"]} for item in gym]
        answer = requests.post(f"{server.url}/v1/exposures", json={"exposures": gym_exposures}, headers=headers)
        assert answer.status_code == 200, answer.text
        page = requests.get(f"{server.url}/", headers={"X-API-Key": made["viewer"]})
        assert page.status_code == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8", page.text
        counts = {("banner-on", variant): [0, 0, 0] for variant in ["hidden", "shown"]}
        for exposure in exposures + gym_exposures:
            counts.setdefault((exposure["experiment"], exposure["variant"]), [0, 0, 0])[0] += 1
        counts[("banner-on", exposures[0]["variant"])][1] += 1
        gym_variants = {item["unit"]: item["variant"] for item in gym}
        for event in events:
            counts[("gym-renewal-2026", gym_variants[event["unit"]])][2] += 1
        sections = {name: page.text.split(f"<code>{name}</code> · ")[1].split("</section>")[0]
                    for name in ["banner-on", "gym-renewal-2026"]}
        for (experiment, variant), (units, repeats, events_stored) in counts.items():
            row = (f'data-label="Variant"><span class="cell">{variant}'
                   if experiment == "banner-on" else f'data-label="Variant"><span class="cell">{variant}<br/>')
            cells = (f'data-label="Units exposed">{units}</td><td class="num" data-label="Repeated exposures">'
                     f'{repeats}</td><td class="num" data-label="Events">{events_stored}</td>')
            section = sections[experiment]
            assert row in section and cells in section.split(row)[1].split("</tr>")[0], (experiment, variant)
    finally:
        assert server.stop() == 0, server.logs()

    assert psql("SELECT count(*), sum(repeats) FROM exposures WHERE experiment_id = 'banner-on'") == "20|1"
    assert psql("SELECT exposed_at FROM exposures WHERE experiment_id = 'banner-on' AND unit_id = 'u-0'") == \
        "2026-11-30 09:00:00.125"
    assert psql("SELECT count(*) FROM exposure_ids WHERE experiment_id = 'banner-on'") == "21"
    assert psql("SELECT count(*), sum(value) FROM events") == "10|10"


def load(server, key, batches, acknowledged, stop):
    """Sends batches until told to stop; records the ids of every batch answered 200."""
    session = requests.Session()
    for kind, items in batches:
        if stop.is_set():
            return
        try:
            response = session.post(f"{server.url}/v1/{kind}", json={kind: items}, headers={"X-API-Key": key}, timeout=30)
        except requests.RequestException:
            return  # the server was killed
        if response.status_code == 200:
            body = response.json()
            assert body["stored"] + body["duplicates"] == len(items), body
            acknowledged.extend((kind, item["id"]) for item in items)


def test_sigkill_mid_load_loses_no_acknowledged_item(workspace):
    experiments, keys, made = workspace
    database = experiments.parent / "strata.db"
    server = Server(experiments, keys)
    key = made["server"]
    batches = []
    for b in range(400):
        units = [f"k{b}-{i}" for i in range(100)]
        if b % 4 == 0:
            variants = variants_of(server, key, units)
            items = [{"id": str(uuid.uuid4()), "experiment": EXPERIMENT, "unit": u, "variant": variants[u]} for u in units]
            batches.append(("exposures", items))
        else:
            items = [{"id": str(uuid.uuid4()), "unit": u, "metric": "revenue", "value": 1.5} for u in units]
            batches.append(("events", items))
    acknowledged = []
    stop = threading.Event()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(load, server, key, batches[i::4], acknowledged, stop) for i in range(4)]
        deadline = time.time() + 60
        while len(acknowledged) < 10_000 and time.time() < deadline:
            time.sleep(0.01)
        server.process.send_signal(signal.SIGKILL)  # mid-load: requests are in flight
        server.process.wait(timeout=30)
        stop.set()
        for future in futures:
            future.result()
    assert 10_000 <= len(acknowledged) < 40_000, "the kill did not land in the middle of the run"

    def stored_ids():
        with sqlite3.connect(database) as db:
            events = [row[0] for row in db.execute("SELECT event_id FROM events")]
            exposures = [row[0] for row in db.execute("SELECT id FROM exposure_ids")]
            rows, repeats = db.execute("SELECT count(*), coalesce(sum(repeats), 0) FROM exposures").fetchone()
        return events, exposures, rows + repeats

    restarted = Server(experiments, keys)  # recovers the database (WAL) and migrates nothing new
    try:
        events, exposures, exposure_count = stored_ids()
        assert len(events) == len(set(events)) and len(exposures) == len(set(exposures))
        assert exposure_count == len(exposures)
        missing = [item for item in acknowledged if item[1] not in set(events if item[0] == "events" else exposures)]
        assert not missing, f"{len(missing)} acknowledged items were lost, e.g. {missing[:3]}"
        # Send everything again, as a client retrying after the crash would: each item ends up stored once.
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            again = []
            list(pool.map(lambda i: load(restarted, key, batches[i::4], again, threading.Event()), range(4)))
        assert len(again) == 40_000
        events, exposures, exposure_count = stored_ids()
        assert sorted(events) == sorted(i["id"] for k, b in batches if k == "events" for i in b)
        assert sorted(exposures) == sorted(i["id"] for k, b in batches if k == "exposures" for i in b)
        assert exposure_count == 10_000
    finally:
        assert restarted.stop() == 0, restarted.logs()
