"""Live results from the running cell totals on PostgreSQL (kept by the ingestion and erasure transactions): at a
planned look they are what `strata analyze --database` computes from the same tables with the event-level query,
and after erasures the units per variant are again the query's."""
import json
import time

import requests

from conftest import Server, strata
from test_contract import postgres, postgres_binaries  # noqa: F401 (fixtures)

EXPERIMENT = "gym-renewal-2026"
VARIANTS = ["control", "reminder_progress", "reminder_social"]


def agree(a, b):
    """Equal JSON, numbers within 1e-9 relative (the counts of values missing: zero filled, `zero_filled_*`,
    included: the service's running totals count them as `strata analyze --database` does)."""
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and \
            abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-300)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(agree(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(agree(x, y) for x, y in zip(a, b))
    return a == b


def post(server, path, key, body):
    response = requests.post(f"{server.url}{path}", json=body, headers={"X-API-Key": key}, timeout=120)
    assert response.status_code == 200, response.text
    return response.json()


def test_postgresql_live_results_match_analyze_database(workspace, postgres):  # noqa: F811
    port, _ = postgres
    experiments, keys, made = workspace
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    server = Server(experiments, keys, database=url, extra=["--audit-key", str(experiments.parent / "audit.key")])
    definition = str(experiments / "gym-renewal.yaml")

    def analyze(*extra):
        return json.loads(strata("analyze", "--experiment", definition, "--database", url, "--exposures", "exposures",
                                 "--events", "events", "--no-look-log", "--json", *extra).stdout)

    try:
        units = [{"unit": f"L{i:05d}", "attributes": {"marketing_opt_in": True, "membership_months": 12,
                                                      "status": "active", "checkins_90d": [30, 10, 1][i % 3]}}
                 for i in range(1500)]
        assigned = post(server, "/v1/assign", made["server"], {"experiment": EXPERIMENT, "units": units})["assignments"]
        exposures = [{"id": f"x-{a['unit']}", "experiment": EXPERIMENT, "unit": a["unit"], "variant": a["variant"],
                      "segment": a["segment"], "time": "2026-11-02T09:00:00Z"} for a in assigned]
        events = []
        for i, a in enumerate(assigned):
            if (i * 7919) % 100 < 55 + 5 * VARIANTS.index(a["variant"]):
                events.append({"id": f"r-{i}", "unit": a["unit"], "metric": "renewed", "value": 1,
                               "time": "2026-11-10T09:00:00Z"})
                events.append({"id": f"v-{i}", "unit": a["unit"], "metric": "revenue", "value": 300 + i % 97 + 0.25,
                               "time": "2026-11-10T09:00:00Z"})
            if i % 10 == 0:  # before the exposure: never counted
                events.append({"id": f"early-{i}", "unit": a["unit"], "metric": "revenue", "value": 999,
                               "time": "2026-11-01T09:00:00Z"})
        # A third of the events arrive before their units' exposures; one batch is retried.
        third = len(events) // 3
        for start in range(0, third, 500):
            post(server, "/v1/events", made["server"], {"events": events[start:min(start + 500, third)]})
        for start in range(0, len(exposures), 500):
            post(server, "/v1/exposures", made["server"], {"exposures": exposures[start:start + 500]})
        for start in range(third, len(events), 500):
            post(server, "/v1/events", made["server"], {"events": events[start:start + 500]})
        assert post(server, "/v1/exposures", made["server"], {"exposures": exposures[:500]})["duplicates"] == 500
        later = [dict(e, id=f"again-{e['id']}", time="2026-11-03T09:00:00Z") for e in exposures[:50]]
        post(server, "/v1/exposures", made["server"], {"exposures": later})  # repeats: counted, not stored

        look = post(server, f"/v1/experiments/{EXPERIMENT}/looks", made["admin"], None)
        cli = analyze("--look", "1")
        for key in ["srm", "results", "pooled", "verdict", "decision"]:
            assert agree(look[key], cli[key]), (key, look[key], cli[key])
        assert (look["service"]["exposures_stored"], look["service"]["repeated_exposures"]) == (1500, 50)

        # Erasures subtract exactly what their units added.
        for unit in [a["unit"] for a in assigned[:30:3]]:
            post(server, "/v1/erasure", made["admin"], {"unit": unit})
        live = requests.get(f"{server.url}/v1/experiments/{EXPERIMENT}/results",
                            headers={"X-API-Key": made["viewer"]}, timeout=120)
        assert live.status_code == 200, live.text
        assert agree(live.json()["srm"], analyze()["srm"]), (live.json()["srm"], analyze()["srm"])
        account = live.json()["service"]
        assert (account["exposures_stored"], account["repeated_exposures"]) == (1490, 40), account
    finally:
        assert server.stop() == 0, server.logs()

    # A restart finds the totals current (what they cover is recorded beside them: no count, no build) and keeps them.
    server = Server(experiments, keys, database=url, extra=["--audit-key", str(experiments.parent / "audit.key")])
    try:
        again = requests.get(f"{server.url}/v1/experiments/{EXPERIMENT}/results",
                             headers={"X-API-Key": made["viewer"]}, timeout=120)
        assert agree(again.json()["srm"], analyze()["srm"])
        assert "running totals built" not in server.logs()
        metrics = requests.get(f"{server.url}/metrics", headers={"X-API-Key": made["admin"]}, timeout=30).text
        assert "strata_live_totals_builds_total" not in metrics

        # A changed definition (revenue now counted for 5 days): the requests are answered meanwhile (from the results
        # query), the totals are rebuilt off the request path, and the results are again `strata analyze`'s.
        path = experiments / "gym-renewal.yaml"
        path.write_text(path.read_text().replace("  - name: revenue\n    kind: continuous\n",
                                                 "  - name: revenue\n    kind: continuous\n    window: 5d\n"))
        deadline = time.time() + 60
        while "definitions reloaded" not in server.logs():
            assert time.time() < deadline, server.logs()
            time.sleep(0.1)
        post(server, "/v1/events", made["server"], {"events": [
            {"id": "after-change", "unit": assigned[1]["unit"], "metric": "revenue", "value": 5,
             "time": "2026-11-03T09:00:00Z"}]})
        during = requests.get(f"{server.url}/v1/experiments/{EXPERIMENT}/results",
                              headers={"X-API-Key": made["viewer"]}, timeout=120)
        assert during.status_code == 200, during.text
        while "plan_changed" not in server.logs():
            assert time.time() < deadline, server.logs()
            time.sleep(0.1)
        # Events of units the rebuilt totals hold update them from their memos alone (no exposure changed): inside the
        # 5-day window, its last millisecond, its end (not counted) and before the exposure (not counted).
        post(server, "/v1/events", made["server"], {"events": [
            {"id": f"window-{i}-{k}", "unit": a["unit"], "metric": "revenue", "value": 10 + k, "time": t}
            for i, a in enumerate(assigned[100:400]) for k, t in enumerate(
                ["2026-11-06T09:00:00Z", "2026-11-07T08:59:59.999Z", "2026-11-07T09:00:00Z", "2026-11-02T08:59:59Z"])
            if (i + k) % 3]})
        changed = requests.get(f"{server.url}/v1/experiments/{EXPERIMENT}/results",
                               headers={"X-API-Key": made["viewer"]}, timeout=120).json()
        cli = analyze()
        # Withheld in the interim view, shown by analyze.
        withheld = {"p_value", "p_value_adjusted", "significant", "notes", "cmh_p_value", "cmh_statistic"}

        def paths(a, b, at=""):
            if isinstance(a, dict) and isinstance(b, dict):
                return [p for k in (a.keys() | b.keys()) - withheld for p in paths(a.get(k), b.get(k), f"{at}.{k}")]
            if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
                return [p for i, (x, y) in enumerate(zip(a, b)) for p in paths(x, y, f"{at}[{i}]")]
            return [] if agree(a, b) else [f"{at}: {a} vs {b}"]
        for key in ["srm", "results", "pooled"]:
            assert not paths(changed[key], cli[key]), (key, paths(changed[key], cli[key]))
        assert 'strata_live_totals_builds_total{reason="plan_changed"} 1' in requests.get(
            f"{server.url}/metrics", headers={"X-API-Key": made["admin"]}, timeout=30).text
    finally:
        assert server.stop() == 0, server.logs()
