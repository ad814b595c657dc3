"""The service against `strata assign`, unit by unit, and under definition reloads."""
import csv
import random
import threading
import time

import requests

from conftest import ROOT, strata

UNITS = 100_000
BATCH = 5_000


def audience(path, count, seed):
    """Members with the attributes gym-renewal's rules read (some missing or unreadable, as in a real export)."""
    rng = random.Random(seed)
    rows = []
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["member_id", "marketing_opt_in", "membership_months", "status", "checkins_90d"])
        for index in range(count):
            row = [
                f"M{300000 + index}",
                rng.choice(["true", "false", "true", "1", ""]),
                str(rng.randint(0, 60)) if rng.random() > 0.02 else "",
                rng.choice(["active", "active", "active", "lapsed", "frozen"]),
                str(rng.randint(0, 90)) if rng.random() > 0.01 else "n/a",
            ]
            writer.writerow(row)
            rows.append(row)
    return rows


def test_hundred_thousand_units_match_strata_assign(server, tmp_path):
    members = tmp_path / "members.csv"
    rows = audience(members, UNITS, seed=20261203)
    definition = ROOT / "experiments" / "gym-renewal.yaml"
    out = tmp_path / "assignments.csv"
    strata("assign", "--experiment", str(definition), "--input", str(members), "--output", str(out))
    with open(out, newline="") as f:
        expected = {row["member_id"] if "member_id" in row else row["unit"]: row for row in csv.DictReader(f)}
    assert len(expected) == UNITS
    names = ["marketing_opt_in", "membership_months", "status", "checkins_90d"]
    compared = 0
    for start in range(0, UNITS, BATCH):
        units = [
            {"unit": row[0], "attributes": {name: value for name, value in zip(names, row[1:]) if value != ""}}
            for row in rows[start : start + BATCH]
        ]
        response = requests.post(
            server.url + "/v1/assign",
            json={"experiment": "gym-renewal-2026", "units": units},
            headers={"X-API-Key": server.keys["server"]},
            timeout=120,
        )
        assert response.status_code == 200, response.text
        for item in response.json()["assignments"]:
            cli = expected[item["unit"]]
            assert (item["variant"] or "") == cli["variant"], (item, cli)
            assert (item["segment"] or "") == cli["segment"], (item, cli)
            assert ("" if item["bucket"] is None else str(item["bucket"])) == cli["bucket"], (item, cli)
            assert item["reason"] == cli["reason"], (item, cli)
            compared += 1
    assert compared == UNITS


VERSION_A = "id: reload-demo\nvariants: [a, b]\n"
VERSION_B = "id: reload-demo\nsalt: second-version\nvariants:\n  - key: a\n    weight: 1\n  - key: b\n    weight: 3\n  - key: c\n    weight: 1\n"


def test_reload_under_load(workspace, tmp_path):
    from conftest import Server

    experiments, keys, made = workspace
    demo = experiments / "reload-demo.yaml"
    demo.write_text(VERSION_A)
    versions = {}
    units = [f"user-{index}" for index in range(25)]
    for name, text in [("a", VERSION_A), ("b", VERSION_B)]:
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        import hashlib

        digest = hashlib.sha256(text.encode()).hexdigest()
        versions[digest] = {
            unit: __import__("json").loads(strata("assign", "--experiment", str(path), "--unit", unit, "--json").stdout)["variant"]
            for unit in units
        }
    server = Server(experiments, keys, extra=["--rate-limit", "0"])
    failures = []
    answers = []
    stop = threading.Event()

    def load():
        session = requests.Session()
        headers = {"X-API-Key": made["server"]}
        index = 0
        while not stop.is_set():
            unit = units[index % len(units)]
            index += 1
            try:
                response = session.post(
                    server.url + "/ofrep/v1/evaluate/flags/reload-demo",
                    json={"context": {"targetingKey": unit}},
                    headers=headers,
                    timeout=10,
                )
            except requests.RequestException as error:
                failures.append(repr(error))
                continue
            if response.status_code != 200:
                failures.append(f"{response.status_code} {response.text}")
                continue
            body = response.json()
            answers.append((unit, body["variant"], body["metadata"]["strata_definition_hash"]))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for round_ in range(16):
            text = VERSION_B if round_ % 2 == 0 else VERSION_A
            staging = experiments / ".reload-demo.tmp"
            staging.write_text(text)
            staging.replace(demo)
            time.sleep(0.25)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        status = server.stop()
    assert status == 0, server.logs()
    assert not failures, failures[:5]
    hashes = {digest for _, _, digest in answers}
    assert hashes == set(versions), "both versions were served"
    for unit, variant, digest in answers:
        assert versions[digest][unit] == variant, (unit, variant, digest)
    assert len(answers) > 200
