"""Consent is checked inside the ingestion transaction, on PostgreSQL with two servers sharing the database: once a
withdrawal is acknowledged by one server, the other stores nothing more of the unit, although its own registry has
not read the withdrawal (it polls every 60 s here), and writers racing the withdrawal never get a row in after it."""
import concurrent.futures
import subprocess
import threading
import time

import requests

from conftest import Server
from test_contract import postgres, postgres_binaries  # noqa: F401 (fixtures)

EXPERIMENT = "banner-on"


def test_postgresql_withdrawal_races_ingestion_on_another_server(workspace, postgres):  # noqa: F811
    port, binaries = postgres
    experiments, keys, made = workspace
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    extra = ["--audit-key", str(experiments.parent / "audit.key")]
    first = Server(experiments, keys, database=url, extra=extra, reload_interval="60", log_name="first.log")
    second = Server(experiments, keys, database=url, extra=extra, reload_interval="60", log_name="second.log")
    headers = {"X-API-Key": made["server"]}

    def stored_rows(unit):
        sql = (f"SELECT (SELECT count(*) FROM exposure_ids WHERE unit_id = '{unit}')"
               f" + (SELECT count(*) FROM events WHERE unit_id = '{unit}')")
        result = subprocess.run(
            [str(binaries / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-At", "-c", sql],
            check=True, capture_output=True, text=True)
        return int(result.stdout.strip())

    try:
        units = [f"race-{i}" for i in range(12)]
        assigned = requests.post(f"{first.url}/v1/assign", headers=headers,
                                 json={"units": [{"unit": u} for u in units], "experiment": EXPERIMENT}).json()
        variants = {item["unit"]: item["variant"] for item in assigned["assignments"]}

        # Sequential: withdrawn on the first server, refused at once by the second.
        unit = units[0]
        withdrawn = requests.post(f"{first.url}/v1/consent", json={"unit": unit, "granted": False}, headers=headers)
        assert withdrawn.status_code == 200, withdrawn.text
        answer = requests.post(f"{second.url}/v1/exposures", headers=headers, json={"exposures": [
            {"id": f"{unit}-late", "experiment": EXPERIMENT, "unit": unit, "variant": variants[unit]}]})
        assert answer.json() == {"received": 1, "stored": 0, "duplicates": 0, "refused_no_consent": 1}, answer.text
        answer = requests.post(f"{second.url}/v1/events", headers=headers,
                               json={"events": [{"id": f"{unit}-late-e", "unit": unit, "metric": "renewed", "value": 1}]})
        assert answer.json()["refused_no_consent"] == 1, answer.text
        assert stored_rows(unit) == 0

        # Racing: four writers per unit on the second server while the first withdraws the unit.
        totals = {"received": 0, "stored": 0, "duplicates": 0, "refused": 0}
        lock = threading.Lock()
        session_local = threading.local()

        def session():
            if not hasattr(session_local, "session"):
                session_local.session = requests.Session()
            return session_local.session

        def writer(unit, number):
            told = {"received": 0, "stored": 0, "duplicates": 0, "refused": 0}
            for request in range(8):
                key = f"{unit}-w{number}-r{request}"
                exposures = [{"id": f"{key}-x{i}", "experiment": EXPERIMENT, "unit": unit, "variant": variants[unit]}
                             for i in range(3)]
                events = [{"id": f"{key}-v{i}", "unit": unit, "metric": "renewed", "value": 1} for i in range(2)]
                for path, body in [("/v1/exposures", {"exposures": exposures}), ("/v1/events", {"events": events})]:
                    response = session().post(second.url + path, json=body, headers=headers, timeout=60)
                    assert response.status_code == 200, response.text
                    answer = response.json()
                    told["received"] += answer["received"]
                    told["stored"] += answer["stored"]
                    told["duplicates"] += answer["duplicates"]
                    told["refused"] += answer["refused_no_consent"]
            return told

        def race(unit):
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                writers = [pool.submit(writer, unit, number) for number in range(4)]
                # Withdraw once the writers have had some of their rows stored.
                while stored_rows(unit) == 0 and not all(w.done() for w in writers):
                    time.sleep(0.01)
                response = requests.post(f"{first.url}/v1/consent", json={"unit": unit, "granted": False},
                                         headers=headers, timeout=60)
                assert response.status_code == 200, response.text
                at_acknowledgement = stored_rows(unit)
                told = [w.result() for w in writers]
            at_end = stored_rows(unit)
            assert at_end == at_acknowledgement, (
                f"{unit}: {at_end - at_acknowledgement} rows stored after its withdrawal was acknowledged")
            stored = sum(t["stored"] for t in told)
            assert stored == at_end, f"{unit}: {stored} items acknowledged as stored, {at_end} in the database"
            with lock:
                for t in told:
                    for name in totals:
                        totals[name] += t[name]

        with concurrent.futures.ThreadPoolExecutor(4) as races:
            for result in [races.submit(race, unit) for unit in units[1:]]:
                result.result()
        assert totals["received"] == totals["stored"] + totals["duplicates"] + totals["refused"], totals
        assert totals["stored"] > 0 and totals["refused"] > 0, totals
        counted = subprocess.run(
            [str(binaries / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-At", "-c",
             "SELECT coalesce(sum(count), 0) FROM consent_refused_items"],
            check=True, capture_output=True, text=True)
        assert int(counted.stdout.strip()) == totals["refused"] + 2  # and the two sequential refusals
    finally:
        assert second.stop() == 0, second.logs()
        assert first.stop() == 0, first.logs()
