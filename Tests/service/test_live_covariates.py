"""CUPED live results on the PostgreSQL store: a covariate is the sum of each unit's events named as its column
before the first exposure, over the metric's window (docs/service.md). The live results (from the running cell
totals) equal `strata analyze --database` of the same tables and `strata analyze` of the unit-level CSV with the
pre-period columns, and stay equal after erasures and events that arrive after the exposures."""
import json

import requests

from conftest import strata
from test_contract import postgres, postgres_binaries  # noqa: F401 (fixtures)
from conftest import Server
from test_live_results import agree, post

EXPERIMENT = "cuped-live-2026"
DEFINITION = f"""id: {EXPERIMENT}
name: CUPED from events
unit: unit_id
salt: {EXPERIMENT}
variants:
  - key: control
  - key: treatment
metrics:
  - name: spend
    kind: continuous
    role: primary
    missing: zero
    window: 14d
    covariate: {{column: spend_before, missing: zero}}
  - name: revenue_per_order
    kind: ratio
    role: secondary
    numerator: revenue
    denominator: orders
    missing: zero
    window: 30d
    covariate: {{numerator: revenue_before, denominator: orders_before, missing: zero}}
plan:
  alpha: 0.05
  power: 0.8
  mde: 1
  relative: false
"""
COLUMNS = ["unit_id", "variant", "spend", "spend_before", "revenue", "orders", "revenue_before", "orders_before"]


# Withheld from the primary metric in the interim view between planned looks, shown by analyze.
WITHHELD = {"p_value", "p_value_adjusted", "significant", "notes"}


def same(live, csv, skip=()):
    """agree(), except that keys in `skip` are not compared (the values missing: zero counted as 0, `zero_filled_*`,
    included: the running totals count them as the CSV reader does)."""
    if isinstance(live, dict) and isinstance(csv, dict):
        return live.keys() == csv.keys() and all(same(live[k], csv[k], skip) for k in live if k not in skip)
    if isinstance(live, list) and isinstance(csv, list):
        return len(live) == len(csv) and all(same(x, y, skip) for x, y in zip(live, csv))
    return agree(live, csv)


def unit_values(index, variant):
    history = index % 9 != 0
    orders_before = index % 4 if history else 0
    revenue_before = orders_before * (40 + index * 37 % 60) + (0.25 if history else 0)
    spend_before = 100 + index * 53 % 200 + 0.5 if history else 0.0
    orders = (orders_before + index % 3) % 5
    lift = 6.0 if variant == "treatment" else 0.0
    # A unit without history has no pre-period events: empty values in the CSV (missing: zero counts them as 0).
    return {"spend": 0.8 * spend_before + index * 31 % 90 + lift, "spend_before": spend_before if history else None,
            "revenue": orders * (42 + index * 29 % 50 + lift / 2), "orders": float(orders),
            "revenue_before": float(revenue_before) if history else None,
            "orders_before": float(orders_before) if history else None}


def events_of(unit, values):
    def event(metric, value, time):
        return {"id": f"{metric}-{unit}-{time}", "unit": unit, "metric": metric, "value": value, "time": time}
    rows = [event("spend", values["spend"], "2026-11-03T09:00:00Z"),
            event("spend", 500, "2026-11-16T09:00:00Z"),  # after the 14-day window
            event("revenue", values["revenue"], "2026-11-20T09:00:00Z"),
            event("orders", values["orders"], "2026-11-01T09:00:00Z"),  # at the exposure: counts
            event("spend_before", 77, "2026-10-18T08:59:59Z"),  # just before the 14-day pre-window
            event("revenue_before", 88, "2026-11-01T09:00:00Z"),  # at the exposure: not before it
            event("orders_before", 9, "2026-09-01T09:00:00Z")]  # before the 30-day pre-window
    if values["spend_before"]:
        rows += [event("spend_before", values["spend_before"], "2026-10-20T09:00:00Z"),
                 event("revenue_before", values["revenue_before"], "2026-10-05T09:00:00Z"),
                 event("orders_before", values["orders_before"], "2026-10-02T09:00:00Z")]  # exposure − 30 days
    return rows


def test_postgresql_cuped_live_results_match_analyze(workspace, postgres, tmp_path):  # noqa: F811
    port, _ = postgres
    experiments, keys, made = workspace
    (experiments / f"{EXPERIMENT}.yaml").write_text(DEFINITION)
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    server = Server(experiments, keys, database=url, extra=["--audit-key", str(experiments.parent / "audit.key")])
    definition = str(experiments / f"{EXPERIMENT}.yaml")
    try:
        units = [{"unit": f"C{i:05d}"} for i in range(900)]
        assigned = post(server, "/v1/assign", made["server"], {"experiment": EXPERIMENT, "units": units})["assignments"]
        rows, events, exposures = [], [], []
        for index, a in enumerate(assigned):
            values = unit_values(index, a["variant"])
            rows.append({"unit_id": a["unit"], "variant": a["variant"], **values})
            events += events_of(a["unit"], values)
            exposures.append({"id": f"x-{a['unit']}", "experiment": EXPERIMENT, "unit": a["unit"],
                              "variant": a["variant"], "time": "2026-11-01T09:00:00Z"})
        # A third of the events arrive before the exposures, the rest after them.
        third = len(events) // 3
        for start in range(0, third, 500):
            post(server, "/v1/events", made["server"], {"events": events[start:min(start + 500, third)]})
        for start in range(0, len(exposures), 500):
            post(server, "/v1/exposures", made["server"], {"exposures": exposures[start:start + 500]})
        for start in range(third, len(events), 500):
            post(server, "/v1/events", made["server"], {"events": events[start:start + 500]})

        def live():
            response = requests.get(f"{server.url}/v1/experiments/{EXPERIMENT}/results",
                                    headers={"X-API-Key": made["viewer"]}, timeout=120)
            assert response.status_code == 200, response.text
            return response.json()

        def from_csv(kept, *extra):
            path = tmp_path / "units.csv"
            path.write_text("\n".join([",".join(COLUMNS)] + [",".join("" if r[c] is None else str(r[c]) for c in COLUMNS)
                                                            for r in kept]))
            return json_of("analyze", "--experiment", definition, "--data", str(path), *extra)

        def json_of(*args):
            return json.loads(strata(*args, "--no-look-log", "--json").stdout)

        # A planned look: every number of `strata analyze` at look 1, from the tables and from the CSV.
        database = json_of("analyze", "--experiment", definition, "--database", url, "--exposures", "exposures",
                           "--events", "events", "--look", "1")
        first = post(server, f"/v1/experiments/{EXPERIMENT}/looks", made["admin"], None)
        reference = from_csv(rows, "--look", "1")
        assert all(r["adjustment"] for r in first["results"]), first["results"]
        for key in ["srm", "results", "pooled", "verdict", "decision"]:
            assert agree(first[key], database[key]), (key, first[key], database[key])
            assert same(first[key], reference[key]), (key, first[key], reference[key])
        # The empty values per column (units without history), counted as 0 by the totals as by the other two.
        missing = first["data"]["missing_values"]
        assert agree(missing, database["data"]["missing_values"]), (missing, database["data"]["missing_values"])
        assert agree(missing, reference["data"]["missing_values"]), (missing, reference["data"]["missing_values"])
        assert any(m["column"] == "spend_before" and m["units"] == 100 for m in missing), missing

        # Erasures subtract exactly what their units added, covariates included; a late pre-period event of a
        # kept unit changes its covariate.
        erased = {a["unit"] for a in assigned[:40:4]}
        for unit in sorted(erased):
            post(server, "/v1/erasure", made["admin"], {"unit": unit})
        late = rows[41]
        post(server, "/v1/events", made["server"], {"events": [
            {"id": "late-before", "unit": late["unit_id"], "metric": "spend_before", "value": 12.5,
             "time": "2026-10-30T09:00:00Z"}]})
        late["spend_before"] += 12.5
        after = live()  # an interim view: the primary's naive p-values are withheld
        assert after["service"]["view"] == "interim"
        reference = from_csv([r for r in rows if r["unit_id"] not in erased])
        for key in ["srm", "results", "pooled"]:
            assert same(after[key], reference[key], WITHHELD), (key, after[key], reference[key])
    finally:
        assert server.stop() == 0, server.logs()


LIN_EXPERIMENT = "lin-live-2026"
LIN_DEFINITION = DEFINITION.replace(EXPERIMENT, LIN_EXPERIMENT).replace(
    "covariate: {column: spend_before, missing: zero}",
    "covariates: {columns: [spend_before, visits_before], errors: hc3, missing: zero}")


def test_postgresql_lin_live_results_match_analyze(workspace, postgres, tmp_path):  # noqa: F811
    """Lin's regression (`covariates:`) on the PostgreSQL store: no running totals; the results query and the second
    query of the HC sums (docs/warehouse.md) give `strata analyze --database`'s and the unit-level CSV's numbers."""
    assert "covariates:" in LIN_DEFINITION
    port, _ = postgres
    experiments, keys, made = workspace
    (experiments / f"{LIN_EXPERIMENT}.yaml").write_text(LIN_DEFINITION)
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    server = Server(experiments, keys, database=url, extra=["--audit-key", str(experiments.parent / "audit.key")])
    definition = str(experiments / f"{LIN_EXPERIMENT}.yaml")
    columns = COLUMNS + ["visits_before"]
    try:
        units = [{"unit": f"L{i:05d}"} for i in range(600)]
        assigned = post(server, "/v1/assign", made["server"],
                        {"experiment": LIN_EXPERIMENT, "units": units})["assignments"]
        rows, events, exposures = [], [], []
        for index, a in enumerate(assigned):
            values = unit_values(index, a["variant"])
            history = values["spend_before"] is not None
            values["visits_before"] = float(index % 7 + 1) if history else None
            values["spend"] += 3.0 * (index % 7) if history else 0.0
            rows.append({"unit_id": a["unit"], "variant": a["variant"], **values})
            events += events_of(a["unit"], values)
            if history:
                events.append({"id": f"visits-{a['unit']}", "unit": a["unit"], "metric": "visits_before",
                               "value": values["visits_before"], "time": "2026-10-25T09:00:00Z"})
            exposures.append({"id": f"x-{a['unit']}", "experiment": LIN_EXPERIMENT, "unit": a["unit"],
                              "variant": a["variant"], "time": "2026-11-01T09:00:00Z"})
        for start in range(0, len(exposures), 500):
            post(server, "/v1/exposures", made["server"], {"exposures": exposures[start:start + 500]})
        for start in range(0, len(events), 500):
            post(server, "/v1/events", made["server"], {"events": events[start:start + 500]})
        path = tmp_path / "lin-units.csv"
        path.write_text("\n".join([",".join(columns)] + [",".join("" if r[c] is None else str(r[c]) for c in columns)
                                                        for r in rows]))

        def json_of(*args):
            return json.loads(strata(*args, "--no-look-log", "--json").stdout)
        database = json_of("analyze", "--experiment", definition, "--database", url, "--exposures", "exposures",
                           "--events", "events", "--look", "1")
        reference = json_of("analyze", "--experiment", definition, "--data", str(path), "--look", "1")
        first = post(server, f"/v1/experiments/{LIN_EXPERIMENT}/looks", made["admin"], None)
        assert any(r["test"] == "lin-hc3" for r in first["results"]), first["results"]
        for key in ["srm", "results", "pooled", "verdict", "decision"]:
            assert agree(first[key], database[key]), (key, first[key], database[key])
            assert same(first[key], reference[key]), (key, first[key], reference[key])
    finally:
        assert server.stop() == 0, server.logs()
