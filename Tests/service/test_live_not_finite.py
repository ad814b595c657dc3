"""Running totals on PostgreSQL that held a value beyond ±1e50 (stored before such values were refused, here written
behind the service's back), or whose shift is a far-away first value (1e12 among values of about 300): erasing that
unit answers 200 at once from the results query, the totals are made again (`not_finite`), and the results from them
agree with `strata analyze --database` of the same tables."""
import json
import time

import pytest
import requests

from conftest import strata
from test_contract import postgres, postgres_binaries, postgres_server  # noqa: F401 (fixtures)
from test_live_results import EXPERIMENT, agree, post


def wait_for(server, text, deadline):
    while text not in server.logs():
        assert time.time() < deadline, server.logs()
        time.sleep(0.1)


@pytest.mark.parametrize("value", ["1e155", "1e12"])
def test_postgresql_erasing_a_unit_with_a_far_value(workspace, postgres, value):  # noqa: F811
    experiments, _, made = workspace
    server, psql, url = postgres_server(workspace, postgres)

    def results():
        return requests.get(f"{server.url}/v1/experiments/{EXPERIMENT}/results",
                            headers={"X-API-Key": made["viewer"]}, timeout=120)

    try:
        units = [{"unit": f"N{i:04d}", "attributes": {"marketing_opt_in": True, "membership_months": 12,
                                                      "status": "active", "checkins_90d": [30, 10, 1][i % 3]}}
                 for i in range(300)]
        assigned = post(server, "/v1/assign", made["server"], {"experiment": EXPERIMENT, "units": units})["assignments"]
        post(server, "/v1/exposures", made["server"], {"exposures": [
            {"id": f"x-{a['unit']}", "experiment": EXPERIMENT, "unit": a["unit"], "variant": a["variant"],
             "segment": a["segment"], "time": "2026-11-02T09:00:00Z"} for a in assigned]})
        post(server, "/v1/events", made["server"], {"events": [
            event for i, a in enumerate(assigned) if i % 3 != 1 for event in [
                {"id": f"r-{i}", "unit": a["unit"], "metric": "renewed", "value": 1, "time": "2026-11-10T09:00:00Z"},
                {"id": f"v-{i}", "unit": a["unit"], "metric": "revenue", "value": 250 + i % 89 + 0.5,
                 "time": "2026-11-10T09:00:00Z"}]]})
        deadline = time.time() + 120
        # The first unit in id order gets the value behind the service's back: the next pass makes the totals again
        # (`outside_writes`) with its value as the shift (1e155: every unit's square is ∞, and the results refuse).
        first = min(a["unit"] for a in assigned)
        psql(f"INSERT INTO events (event_id, unit_id, metric, value, occurred_at) VALUES "
             f"('outside', '{first}', 'revenue', {value}, '2026-11-10 09:00:00')")
        wait_for(server, "outside_writes", deadline)
        if value == "1e155":
            refused = results()
            assert refused.status_code == 409 and "revenue_sum_sq = inf" in refused.text, refused.text

        post(server, "/v1/erasure", made["admin"], {"unit": first})
        key = psql(f"SELECT plan_key FROM live_experiments WHERE experiment_id = '{EXPERIMENT}'")
        assert key == "not finite: rebuild" or "not_finite" in server.logs(), "set aside, or made again by a pass"
        answered = results()
        assert answered.status_code == 200, answered.text
        wait_for(server, "not_finite", deadline)
        rebuilt = results()
        assert rebuilt.status_code == 200, rebuilt.text
        assert psql(f"SELECT plan_key FROM live_experiments WHERE experiment_id = '{EXPERIMENT}'") != \
            "not finite: rebuild"
        cli = json.loads(strata("analyze", "--experiment", str(experiments / "gym-renewal.yaml"), "--database", url,
                                "--exposures", "exposures", "--events", "events", "--no-look-log", "--json").stdout)
        for view in (answered.json(), rebuilt.json()):
            for key in ["n_control", "n_treatment", "lift_abs", "ci_abs_low", "ci_abs_high", "statistic"]:
                assert agree([r.get(key) for r in view["results"]], [r.get(key) for r in cli["results"]]), key
        assert 'strata_live_totals_builds_total{reason="not_finite"} 1' in requests.get(
            f"{server.url}/metrics", headers={"X-API-Key": made["admin"]}, timeout=30).text
    finally:
        assert server.stop() == 0, server.logs()
