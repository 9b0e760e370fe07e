"""On-demand evaluation (inactive rules, the inline limit, rule order), isolation of a broken rule, re-activation
and the stricter API input checks."""

from decimal import Decimal

import pytest

from alerts import jobs, policies
from alerts.models import Alert, PolicyKind, PolicyState
from alerts.services import policies_evaluate_product, policies_evaluate_user, policy_rule_evaluate, policy_rule_update
from dropship_central.models import Job
from tests.factories import ListingFactory, PolicyRuleFactory, ProductFactory, TrackedProductFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/policy-rules"


def _tracked(user, **product_fields):
    return TrackedProductFactory(user=user, product=ProductFactory(**product_fields)).product


# --- A broken rule ----------------------------------------------------------------------------------


def test_a_rule_that_raises_does_not_stop_the_other_rules_or_users(user, other_user, monkeypatch):
    product = _tracked(user, stock_quantity=2, price=Decimal("50"))
    TrackedProductFactory(user=other_user, product=product)
    PolicyRuleFactory(user=user, kind="price_ceiling", threshold=Decimal(10))
    mine = PolicyRuleFactory(user=user, kind="low_stock", threshold=Decimal(5))
    theirs = PolicyRuleFactory(user=other_user, kind="low_stock", threshold=Decimal(5))

    def broken(*args, **kwargs):
        raise RuntimeError("evaluator bug")

    monkeypatch.setitem(policies.EVALUATORS, PolicyKind.PRICE_CEILING, broken)

    outcomes = policies_evaluate_product(product=product)

    assert sorted(outcome.rule_id for outcome in outcomes) == sorted([mine.pk, theirs.pk])
    assert Alert.objects.filter(rule__in=[mine, theirs]).count() == 2


# --- Inactive rules -----------------------------------------------------------------------------------


def test_evaluating_an_inactive_rule_is_refused_with_409(auth_client, user):
    _tracked(user, stock_quantity=1)
    rule = PolicyRuleFactory(user=user, kind="low_stock", threshold=Decimal(5), is_active=False)

    response = auth_client.post(f"{URL}/{rule.pk}/evaluate")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "rule_inactive"
    assert not Alert.objects.exists()


# --- The inline limit ---------------------------------------------------------------------------------


def test_evaluating_a_rule_over_the_inline_limit_answers_202_with_a_job(auth_client, user, settings):
    settings.POLICY_EVALUATE_INLINE_LIMIT = 1
    _tracked(user, stock_quantity=1)
    _tracked(user, stock_quantity=2)
    rule = PolicyRuleFactory(user=user, kind="low_stock", threshold=Decimal(5))

    response = auth_client.post(f"{URL}/{rule.pk}/evaluate")

    assert response.status_code == 202
    body = response.json()
    job = Job.objects.get(pk=body["job"]["id"])
    assert (job.type, job.payload, job.user) == ("alerts.jobs.policy_rule_evaluate", {"rule_id": rule.pk}, user)
    assert (body["products"], body["evaluated"], body["outcomes"]) == (2, 0, [])
    assert not Alert.objects.exists()


def test_evaluating_a_rule_within_the_inline_limit_answers_200_without_a_job(auth_client, user, settings):
    settings.POLICY_EVALUATE_INLINE_LIMIT = 2
    _tracked(user, stock_quantity=1)
    _tracked(user, stock_quantity=2)
    rule = PolicyRuleFactory(user=user, kind="low_stock", threshold=Decimal(5))

    response = auth_client.post(f"{URL}/{rule.pk}/evaluate")

    assert response.status_code == 200
    assert (response.json()["job"], response.json()["alerted"]) == (None, 2)


def test_evaluating_all_rules_over_the_inline_limit_runs_as_a_job(auth_client, user, settings):
    settings.POLICY_EVALUATE_INLINE_LIMIT = 1
    _tracked(user, stock_quantity=1)
    PolicyRuleFactory(user=user, kind="low_stock", threshold=Decimal(5))
    PolicyRuleFactory(user=user, kind="out_of_stock", threshold=None)

    response = auth_client.post(f"{URL}/evaluate")

    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job"]["id"])
    assert (job.type, job.payload) == ("alerts.jobs.policies_evaluate_for_user", {"user_id": user.pk})
    assert jobs.policies_evaluate_for_user(user.pk)["evaluated"] == 2
    assert Alert.objects.count() == 1


# --- Rule order on demand -------------------------------------------------------------------------


def test_evaluating_a_users_rules_runs_resumes_last(user):
    product = _tracked(user, stock_quantity=2, availability="low_stock")
    listing = ListingFactory(user=user, product=product, status="paused", status_reason="out_of_stock")
    # By name the resume rule would run first and resume the listing the low-stock rule then pauses again.
    resume = PolicyRuleFactory(user=user, name="A back", kind="back_in_stock", threshold=None, action="resume")
    PolicyState.objects.create(
        rule=resume, product=product, dedupe_key=f"rule:{resume.pk}:product:{product.pk}", memory={"seen_out": True}
    )
    PolicyRuleFactory(user=user, name="B low", kind="low_stock", threshold=Decimal(5), action="pause")

    outcomes = policies_evaluate_user(user=user)

    assert [o.rule_id for o in outcomes][-1] == resume.pk
    [resumed] = [o for o in outcomes if o.rule_id == resume.pk]
    assert resumed.actions == []
    listing.refresh_from_db()
    assert listing.status == "paused"


# --- Re-activation ------------------------------------------------------------------------------------


def test_reactivating_a_rule_rearms_it_so_a_condition_still_true_alerts_again(user):
    _tracked(user, stock_quantity=1)
    rule = PolicyRuleFactory(user=user, kind="low_stock", threshold=Decimal(5))
    policy_rule_evaluate(rule=rule)
    policy_rule_update(rule=rule, actor=user, data={"is_active": False})

    policy_rule_update(rule=rule, actor=user, data={"is_active": True})
    rule.refresh_from_db()
    [outcome] = policy_rule_evaluate(rule=rule)

    assert outcome.alerted
    assert Alert.objects.filter(rule=rule).count() == 2


def test_an_unrelated_change_keeps_the_rules_memory(user):
    _tracked(user, stock_quantity=1)
    rule = PolicyRuleFactory(user=user, kind="low_stock", threshold=Decimal(5))
    policy_rule_evaluate(rule=rule)

    policy_rule_update(rule=rule, actor=user, data={"name": "Renamed", "is_active": True})
    [outcome] = policy_rule_evaluate(rule=rule)

    assert not outcome.alerted


# --- Input checks ---------------------------------------------------------------------------------


def test_an_unknown_field_is_refused(auth_client):
    body = {"name": "Low", "kind": "low_stock", "threshold": "5", "treshold_percent": "3"}

    response = auth_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert "treshold_percent" in response.json()["error"]["details"]


def test_an_unknown_field_is_refused_on_patch(auth_client, user):
    rule = PolicyRuleFactory(user=user)

    response = auth_client.patch(f"{URL}/{rule.pk}", {"user": 99}, format="json")

    assert response.status_code == 400
    assert "user" in response.json()["error"]["details"]


@pytest.mark.parametrize(("kind", "threshold", "status"), [("price_drop", "101", 400), ("price_drop", "100", 201)])
def test_a_price_drop_above_100_percent_is_refused(auth_client, kind, threshold, status):
    response = auth_client.post(URL, {"name": "Drop", "kind": kind, "threshold": threshold}, format="json")

    assert response.status_code == status


def test_a_price_rise_above_100_percent_is_allowed(auth_client):
    response = auth_client.post(URL, {"name": "Rise", "kind": "price_rise", "threshold": "150"}, format="json")

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("kind", "params"),
    [("price_ceiling", {"currency": "usd"}), ("price_ceiling", {"currency": "US"}), ("low_stock", {"currency": "USD"})],
)
def test_a_ceiling_currency_is_validated(auth_client, kind, params):
    body = {"name": "R", "kind": kind, "threshold": "5", "params": params}

    response = auth_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert "params" in response.json()["error"]["details"]


def test_import_terms_refuses_an_unrecognised_replace_value(auth_client, user):
    rule = PolicyRuleFactory(user=user, kind="blocked_brand", threshold=None, params={"terms": ["Nike"]})

    response = auth_client.post(f"{URL}/{rule.pk}/import-terms?replace=yes-please", "Apple", content_type="text/plain")

    assert response.status_code == 400
    assert "replace" in response.json()["error"]["details"]
    rule.refresh_from_db()
    assert rule.params["terms"] == ["Nike"]


def test_import_terms_replace_false_merges(auth_client, user):
    rule = PolicyRuleFactory(user=user, kind="blocked_brand", threshold=None, params={"terms": ["Nike"]})

    response = auth_client.post(f"{URL}/{rule.pk}/import-terms?replace=false", "Apple", content_type="text/plain")

    assert response.status_code == 200
    rule.refresh_from_db()
    assert rule.params["terms"] == ["Nike", "Apple"]
