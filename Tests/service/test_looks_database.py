"""`strata looks list|drop --database URL --experiment ID` on the looks a real `strata serve` recorded, in
PostgreSQL (a throwaway cluster) and in SQLite while the service runs: the output of the look-log commands, only the latest look dropped, and the
service takes the dropped look's number again at the next planned look."""
import json

import requests

from conftest import Server, strata
from test_contract import postgres, postgres_binaries  # noqa: F401 (fixtures)

EXPERIMENT = "gym-renewal-2026"


def post(server, path, key, body):
    response = requests.post(f"{server.url}{path}", json=body, headers={"X-API-Key": key}, timeout=120)
    assert response.status_code == 200, response.text
    return response.json()


def send_members(server, key, first, count):
    units = [{"unit": f"L{i:05d}", "attributes": {"marketing_opt_in": True, "membership_months": 12,
                                                  "status": "active", "checkins_90d": [30, 10, 1][i % 3]}}
             for i in range(first, first + count)]
    assigned = post(server, "/v1/assign", key, {"experiment": EXPERIMENT, "units": units})["assignments"]
    post(server, "/v1/exposures", key, {"exposures": [
        {"id": f"x-{a['unit']}", "experiment": EXPERIMENT, "unit": a["unit"], "variant": a["variant"],
         "segment": a["segment"], "time": "2026-11-02T09:00:00Z"} for a in assigned]})
    post(server, "/v1/events", key, {"events": [
        {"id": f"r-{a['unit']}", "unit": a["unit"], "metric": "renewed", "value": 1, "time": "2026-11-10T09:00:00Z"}
        for i, a in enumerate(assigned) if i % 5 < 3]})


def test_postgresql_looks_list_and_drop(workspace, postgres):  # noqa: F811
    port, _ = postgres
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    check_looks(workspace, url, f"postgresql://postgres@127.0.0.1:{port}/postgres")


def test_sqlite_looks_list_and_drop_while_the_service_runs(workspace):
    experiments, _, _ = workspace
    url = f"sqlite:{experiments.parent / 'strata.db'}"
    check_looks(workspace, url, url)


def check_looks(workspace, url, shown):
    experiments, keys, made = workspace
    server = Server(experiments, keys, database=url, extra=["--audit-key", str(experiments.parent / "audit.key")])
    target = ["--database", url, "--experiment", EXPERIMENT]
    try:
        for look in range(2):
            send_members(server, made["server"], look * 600, 600)
            assert post(server, f"/v1/experiments/{EXPERIMENT}/looks", made["admin"], None)["service"]["look"] == look + 1

        listed = strata("looks", "list", *target)
        lines = listed.stdout.splitlines()
        assert lines[0] == f"Look store {shown} (experiment {EXPERIMENT}): 2 looks, 2 records", listed.stdout
        assert lines[1].startswith("look") and lines[2].startswith("1 ") and lines[3].startswith("2 "), listed.stdout
        records = json.loads(strata("looks", "list", *target, "--json").stdout)["looks"]
        assert [(r["look"], r["rows_used"]) for r in records] == [(1, 600), (2, 1200)]

        refused = strata("looks", "drop", *target, "--look", "1", check=False)
        assert refused.returncode == 1 and "(the latest is 2); only the latest look can be dropped" in refused.stderr
        dropped = strata("looks", "drop", *target, "--look", "2")
        assert "Dropped look 2 (" in dropped.stdout and "the latest look is now 1." in dropped.stdout, dropped.stdout
        again = strata("looks", "drop", *target, "--look", "2", check=False)
        assert again.returncode == 1 and "(the latest is 1)" in again.stderr, again.stderr

        # The service records the same data as look 2 again, and its results show that look.
        assert post(server, f"/v1/experiments/{EXPERIMENT}/looks", made["admin"], None)["service"]["look"] == 2
        records = json.loads(strata("looks", "list", *target, "--json").stdout)["looks"]
        assert [r["look"] for r in records] == [1, 2]

        unknown = strata("looks", "list", "--database", url, "--experiment", "nope", check=False)
        assert unknown.returncode == 1 and f"has no experiment \"nope\" (it has " in unknown.stderr, unknown.stderr
        if url.startswith("sqlite:"):
            return
        closed = strata("looks", "list", "--database", "postgresql://postgres@127.0.0.1:1/postgres",
                        "--experiment", EXPERIMENT, check=False)
        assert closed.returncode == 1 and closed.stderr.startswith("strata: error: "), closed.stderr
    finally:
        assert server.stop() == 0, server.logs()
