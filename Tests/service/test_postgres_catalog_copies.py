"""Every catalog `strata serve` served is recorded in PostgreSQL, also one replaced while PostgreSQL was silent, before
its copy into the database succeeded: it served (assignments carry its definition hash), so exposures that name it must
be accepted later, and ingestion accepts an older definition only when the database holds it. (Before: only the catalog
serving when the copy was retried was copied; the replaced one was never recorded, and an exposure assigned under it
was refused with 400 "is not a definition of banner-on this service has served".)"""
import time

import requests

from test_postgres_gone import Cluster
from test_postgres_silent import Silence, psql, start_server

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


def test_a_catalog_replaced_before_its_copy_succeeded_is_recorded(workspace):
    experiments, keys, made = workspace
    viewer, writer = made["viewer"], made["server"]
    cluster = Cluster()
    cluster.start()
    silence = Silence(cluster)
    server = None
    try:
        server = start_server(experiments, keys, cluster)
        first = served_hash(server, viewer)
        banner = experiments / "banner-on.yaml"
        text = banner.read_text()

        silence.stop()
        # A second version serves at once; its copy into the database fails (PostgreSQL silent)
        banner.write_text(text + "# the second version\n")
        second = wait_for(lambda: (hash := served_hash(server, viewer)) != first and hash, "second version", server)
        wait_for(lambda: "cannot record the catalog in the database" in server.logs(), "second copy failed", server)
        # A third replaces it before PostgreSQL answers again
        banner.write_text(text + "# the third version\n")
        third = wait_for(lambda: (hash := served_hash(server, viewer)) != second and hash, "third version", server)
        # Silent until a retry that began after the swap has failed too: the swap's own copy, the retry in flight when
        # it came (of the second version) and the next one (before: of the catalog serving, the third version alone)
        failed = lambda: server.logs().count("cannot record the catalog in the database")
        before = failed()
        wait_for(lambda: failed() >= before + 3, "three copies failed after the swap", server)
        silence.resume()

        # Both are recorded once PostgreSQL answers again, each with its own first-served time
        stored = lambda: set(psql(cluster, "SELECT definition_hash FROM definitions WHERE experiment_id = 'banner-on'"))
        wait_for(lambda: {first, second, third} <= stored(), "second and third versions recorded", server)
        # An exposure assigned under the second version is accepted now that the third serves
        exposure = {"id": "e-second", "experiment": "banner-on", "unit": "u-second", "variant": "shown",
                    "definition": second}
        answer = requests.post(server.url + "/v1/exposures", json={"exposures": [exposure]},
                               headers={"X-API-Key": writer}, timeout=30)
        assert answer.status_code == 200, answer.text
        assert psql(cluster, "SELECT definition_hash FROM exposures WHERE unit_id = 'u-second'") == [second]
        assert server.stop() == 0, server.logs()
        server = None
    finally:
        silence.resume()
        if server is not None:
            server.process.kill()
        cluster.remove()


def test_pending_catalog_limit_flag_holds_back_a_change_beyond_it(workspace):
    """`--pending-catalog-limit 1`: with one catalog waiting for its copy (PostgreSQL silent), a further change is held
    back (the waiting one keeps serving), logged and counted; it loads once PostgreSQL answers and the copy is made.
    With the default (100) the same third version would serve at once (the test above)."""
    experiments, keys, made = workspace
    viewer = made["viewer"]
    cluster = Cluster()
    cluster.start()
    silence = Silence(cluster)
    server = None
    try:
        server = start_server(experiments, keys, cluster, extra=["--pending-catalog-limit", "1"])
        first = served_hash(server, viewer)
        banner = experiments / "banner-on.yaml"
        text = banner.read_text()

        silence.stop()
        banner.write_text(text + "# the second version\n")
        second = wait_for(lambda: (hash := served_hash(server, viewer)) != first and hash, "second version", server)
        wait_for(lambda: "cannot record the catalog in the database" in server.logs(), "second copy failed", server)
        banner.write_text(text + "# the third version\n")
        held = "definitions changed but not reloaded: 1 catalogs served while the database could not be reached"
        wait_for(lambda: held in server.logs(), "third version held back", server)
        assert "(at most 1)" in server.logs(), server.logs()
        assert served_hash(server, viewer) == second
        metrics = requests.get(server.url + "/metrics", timeout=30).text
        assert 'strata_definition_reloads_total{result="held_back"} 1' in metrics, metrics

        silence.resume()
        third = wait_for(lambda: (hash := served_hash(server, viewer)) not in (first, second) and hash,
                         "third version loaded after the copy", server)
        stored = lambda: set(psql(cluster, "SELECT definition_hash FROM definitions WHERE experiment_id = 'banner-on'"))
        wait_for(lambda: {first, second, third} <= stored(), "all three versions recorded", server)
        assert server.stop() == 0, server.logs()
        server = None
    finally:
        silence.resume()
        if server is not None:
            server.process.kill()
        cluster.remove()
