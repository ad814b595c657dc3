"""Every catalog `strata serve` served is recorded in PostgreSQL, also one replaced while PostgreSQL was silent, before
its copy into the database succeeded: it served (assignments carry its definition hash), so exposures that name it must
be accepted later, and ingestion accepts an older definition only when the database holds it. (Before: only the catalog
serving when the copy was retried was copied; the replaced one was never recorded, and an exposure assigned under it
was refused with 400 "is not a definition of banner-on this service has served".)"""
import contextlib
import time

import requests

from test_postgres_silent import psql, silenceable_server

# A copy cut off by the silence fails after --request-timeout (3 s); the rest is room for a loaded 2-core machine
CATCH_UP = 40


def served_hash(server, key):
    answer = requests.get(server.url + "/v1/experiments/banner-on", headers={"X-API-Key": key}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["definition_hash"]


def wait_for(condition, what, server):
    deadline = time.monotonic() + CATCH_UP
    while not (value := condition()):
        assert time.monotonic() < deadline, f"{what}: {server.logs()}"
        time.sleep(0.1)
    return value


@contextlib.contextmanager
def second_version_unrecorded(workspace, extra=()):
    """Both tests' start (`silenceable_server`, with `extra` flags): the first version of banner-on served (`first`),
    then PostgreSQL silenced and a second version written (`text` plus a line), which serves at once (`second`) while
    its copy into the database has failed."""
    experiments, keys, made = workspace
    with silenceable_server(experiments, keys, extra=extra) as run:
        server = run.server
        run.viewer, run.writer = made["viewer"], made["server"]
        run.first = served_hash(server, run.viewer)
        run.banner = experiments / "banner-on.yaml"
        run.text = run.banner.read_text()

        run.silence.stop()
        # A second version serves at once; its copy into the database fails (PostgreSQL silent)
        run.banner.write_text(run.text + "# the second version\n")
        run.second = wait_for(lambda: (hash := served_hash(server, run.viewer)) != run.first and hash,
                              "second version", server)
        wait_for(lambda: "cannot record the catalog in the database" in server.logs(), "second copy failed", server)
        yield run


def stored_hashes(cluster):
    return set(psql(cluster, "SELECT definition_hash FROM definitions WHERE experiment_id = 'banner-on'"))


def test_a_catalog_replaced_before_its_copy_succeeded_is_recorded(workspace):
    with second_version_unrecorded(workspace) as run:
        server, first, second = run.server, run.first, run.second
        # A third replaces it before PostgreSQL answers again
        run.banner.write_text(run.text + "# the third version\n")
        third = wait_for(lambda: (hash := served_hash(server, run.viewer)) != second and hash, "third version", server)
        # Silent until a retry that began after the swap has failed too: the swap's own copy, the retry in flight when
        # it came (of the second version) and the next one (before: of the catalog serving, the third version alone)
        failed = lambda: server.logs().count("cannot record the catalog in the database")
        before = failed()
        wait_for(lambda: failed() >= before + 3, "three copies failed after the swap", server)
        run.silence.resume()

        # Both are recorded once PostgreSQL answers again, each with its own first-served time
        wait_for(lambda: {first, second, third} <= stored_hashes(run.cluster), "second and third versions recorded",
                 server)
        # An exposure assigned under the second version is accepted now that the third serves
        exposure = {"id": "e-second", "experiment": "banner-on", "unit": "u-second", "variant": "shown",
                    "definition": second}
        answer = requests.post(server.url + "/v1/exposures", json={"exposures": [exposure]},
                               headers={"X-API-Key": run.writer}, timeout=30)
        assert answer.status_code == 200, answer.text
        assert psql(run.cluster, "SELECT definition_hash FROM exposures WHERE unit_id = 'u-second'") == [second]


def test_pending_catalog_limit_flag_holds_back_a_change_beyond_it(workspace):
    """`--pending-catalog-limit 1`: with one catalog waiting for its copy (PostgreSQL silent), a further change is held
    back (the waiting one keeps serving), logged and counted; it loads once PostgreSQL answers and the copy is made.
    With the default (100) the same third version would serve at once (the test above)."""
    with second_version_unrecorded(workspace, extra=["--pending-catalog-limit", "1"]) as run:
        server, first, second = run.server, run.first, run.second
        run.banner.write_text(run.text + "# the third version\n")
        held = "definitions changed but not reloaded: 1 catalogs served while the database could not be reached"
        wait_for(lambda: held in server.logs(), "third version held back", server)
        assert "(at most 1)" in server.logs(), server.logs()
        assert served_hash(server, run.viewer) == second
        metrics = requests.get(server.url + "/metrics", timeout=30).text
        assert 'strata_definition_reloads_total{result="held_back"} 1' in metrics, metrics

        run.silence.resume()
        third = wait_for(lambda: (hash := served_hash(server, run.viewer)) not in (first, second) and hash,
                         "third version loaded after the copy", server)
        wait_for(lambda: {first, second, third} <= stored_hashes(run.cluster), "all three versions recorded", server)
