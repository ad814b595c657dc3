"""The Python OpenFeature SDK with its OFREP provider, against a real `strata serve`."""
import requests
from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import Reason


def client_for(server, headers):
    provider = OFREPProvider(server.url, headers_factory=lambda: dict(headers))
    api.set_provider(provider, domain=str(id(provider)))
    return api.get_client(domain=str(id(provider)))


def native(server, unit, attributes, experiment):
    response = requests.post(
        server.url + "/v1/assign",
        json={"unit": unit, "attributes": attributes, "experiment": experiment},
        headers={"X-API-Key": server.keys["server"]},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["assignments"][0]


def test_typed_values_and_targeting(server):
    client = client_for(server, {"X-API-Key": server.keys["server"]})
    seen = {"banner": set(), "discount": set(), "price": set()}
    for index in range(60):
        unit = f"user-{index}"
        ctx = EvaluationContext(targeting_key=unit, attributes={"region": "eu", "email_opt_in": True, "tenure_months": 30})
        banner = client.get_boolean_details("banner-on", False, ctx)
        expected = native(server, unit, {}, "banner-on")
        assert banner.value is (expected["variant"] == "shown")
        assert banner.variant == expected["variant"] and banner.reason == Reason.SPLIT
        assert banner.flag_metadata["strata_bucket"] == expected["bucket"]
        assert banner.flag_metadata["strata_definition_hash"] == expected["definition_hash"]
        seen["banner"].add(banner.value)

        discount = client.get_integer_details("discount-percent", -1, ctx)
        expected = native(server, unit, {}, "discount-percent")
        if expected["variant"] is None:
            assert discount.value == -1 and discount.flag_metadata["strata_reason"] == "holdout"
        else:
            assert discount.value == expected["value"] and isinstance(discount.value, int)
        seen["discount"].add(discount.value)

        price = client.get_float_details("price-factor", 9.0, ctx)
        assert price.value in (1.0, 0.85) and price.error_code is None
        seen["price"].add(price.value)

        email = client.get_object_details("email-subject-values", {}, ctx)
        assert email.value["template"] in ("T-100", "T-101")
        assert email.flag_metadata["strata_segment"] == "loyal"

        cta = client.get_string_details("cta-text", "default", ctx)
        assert cta.value in ("renew_now", "keep_training", "default")
    assert seen["banner"] == {True, False}
    assert {0, 10, 20} <= seen["discount"]
    assert seen["price"] == {1.0, 0.85}


def test_targeting_by_attributes_gives_the_code_default(server):
    client = client_for(server, {"X-API-Key": server.keys["server"]})
    outside = client.get_float_details("price-factor", 9.0, EvaluationContext("user-1", {"region": "us"}))
    assert outside.value == 9.0
    assert outside.reason == Reason.TARGETING_MATCH
    assert outside.flag_metadata["strata_reason"] == "not_eligible"
    no_consent = client.get_object_details(
        "email-subject-values", {"fallback": True}, EvaluationContext("s-1", {"email_opt_in": False, "tenure_months": 40})
    )
    assert no_consent.value == {"fallback": True}
    assert no_consent.flag_metadata["strata_reason"] == "no_consent"


def test_missing_flag_falls_back(server):
    client = client_for(server, {"X-API-Key": server.keys["server"]})
    details = client.get_string_details("no-such-experiment", "fallback", EvaluationContext("user-1"))
    assert details.value == "fallback"
    assert details.error_code == ErrorCode.FLAG_NOT_FOUND


def test_bearer_authorization(server):
    client = client_for(server, {"Authorization": f"Bearer {server.keys['server']}"})
    details = client.get_boolean_details("banner-on", False, EvaluationContext("user-3"))
    assert details.error_code is None and details.reason == Reason.SPLIT


def test_unauthorized_is_challenged(server):
    client = client_for(server, {})
    details = client.get_boolean_details("banner-on", False, EvaluationContext("user-3"))
    assert details.value is False and details.error_code == ErrorCode.GENERAL
    assert details.error_message == "unauthorized"
    raw = requests.post(server.url + "/ofrep/v1/evaluate/flags/banner-on", json={"context": {"targetingKey": "u"}})
    assert raw.status_code == 401
    assert raw.headers["WWW-Authenticate"].startswith('Bearer realm="strata"')
    wrong_role = requests.post(
        server.url + "/ofrep/v1/evaluate/flags/banner-on",
        json={"context": {"targetingKey": "u"}},
        headers={"X-API-Key": server.keys["client"]},
    )
    assert wrong_role.status_code == 403


def test_bulk_revalidation_answers_304(server):
    headers = {"X-API-Key": server.keys["client"]}
    body = {"context": {"targetingKey": "user-9", "region": "eu"}}
    first = requests.post(server.url + "/ofrep/v1/evaluate/flags", json=body, headers=headers)
    assert first.status_code == 200
    flags = {flag["key"]: flag for flag in first.json()["flags"]}
    assert flags["price-factor"]["reason"] == "SPLIT"
    etag = first.headers["ETag"]
    second = requests.post(
        server.url + "/ofrep/v1/evaluate/flags", json=body, headers={**headers, "If-None-Match": etag}
    )
    assert second.status_code == 304 and second.content == b""
