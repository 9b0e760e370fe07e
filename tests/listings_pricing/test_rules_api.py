"""`/api/v1/pricing-rules`: own rules only, validated like the database, store and product must be yours."""

from decimal import Decimal

import pytest

from dropship_central.models import AuditLog
from listings.models import PricingRule
from tests.factories import PricingRuleFactory, ProductFactory, StoreAccountFactory, TrackedProductFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/pricing-rules"


def body(**fields) -> dict:
    return {"name": "Default", "markup_percent": "30", "fee_percent": "13.25", "rounding": "0.99", **fields}


def test_create_stores_the_rule_for_the_user_and_audits_it(auth_client, user):
    response = auth_client.post(URL, body(), format="json")

    assert response.status_code == 201
    rule = PricingRule.objects.get(pk=response.json()["id"])
    assert (rule.user, rule.markup_percent) == (user, Decimal("30"))
    assert AuditLog.objects.filter(object_id=str(rule.pk), action="create").exists()


def test_list_shows_only_own_rules(auth_client, user, other_user):
    own = PricingRuleFactory(user=user)
    PricingRuleFactory(user=other_user)

    response = auth_client.get(URL)

    assert [row["id"] for row in response.json()["results"]] == [own.id]


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_users_rule_is_not_found(other_client, user, method):
    rule = PricingRuleFactory(user=user)

    response = getattr(other_client, method)(f"{URL}/{rule.id}", {"name": "x"}, format="json")

    assert response.status_code == 404
    assert PricingRule.objects.filter(pk=rule.pk, name=rule.name).exists()


@pytest.mark.parametrize("action", ["preview", "apply"])
def test_another_users_rule_cannot_be_previewed_or_applied(other_client, user, action):
    rule = PricingRuleFactory(user=user)

    assert other_client.post(f"{URL}/{rule.id}/{action}", {}, format="json").status_code == 404


def test_another_users_store_in_a_rule_is_refused(auth_client, other_user):
    store = StoreAccountFactory(user=other_user)

    response = auth_client.post(URL, body(store_account=store.id), format="json")

    assert response.status_code == 400
    assert "store_account" in response.json()["error"]["details"]


def test_own_store_in_a_rule_is_accepted(auth_client, user):
    store = StoreAccountFactory(user=user)

    response = auth_client.post(URL, body(store_account=store.id), format="json")

    assert response.status_code == 201
    assert response.json()["store_account"] == store.id


def test_an_untracked_product_in_a_rule_is_refused(auth_client):
    response = auth_client.post(URL, body(product=ProductFactory().id), format="json")

    assert response.status_code == 400
    assert "product" in response.json()["error"]["details"]


def test_a_tracked_product_in_a_rule_is_accepted(auth_client, user):
    tracked = TrackedProductFactory(user=user)

    assert auth_client.post(URL, body(product=tracked.product_id), format="json").status_code == 201


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"fee_percent": "60", "break_even_percent": "40"}, "fee_percent"),
        ({"cost_min": "50", "cost_max": "10"}, "cost_max"),
        ({"markup_percent": "-1"}, "markup_percent"),
        ({"min_profit": "-0.01"}, "min_profit"),
        ({"currency": "usd"}, "currency"),
    ],
)
def test_values_the_database_would_reject_are_refused_with_the_field(auth_client, fields, field):
    response = auth_client.post(URL, body(**fields), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["details"]


def test_patch_validates_the_merged_rule(auth_client, user):
    rule = PricingRuleFactory(user=user, fee_percent=Decimal("50"))

    response = auth_client.patch(f"{URL}/{rule.id}", {"break_even_percent": "50"}, format="json")

    assert response.status_code == 400
    rule.refresh_from_db()
    assert rule.break_even_percent == 0


def test_patch_changes_and_audits_the_rule(auth_client, user):
    rule = PricingRuleFactory(user=user)

    response = auth_client.patch(f"{URL}/{rule.id}", {"markup_percent": "45"}, format="json")

    assert response.status_code == 200
    entry = AuditLog.objects.get(object_id=str(rule.pk), action="update")
    assert entry.changes["markup_percent"] == ["30.000", "45.000"]


def test_delete_removes_the_rule(auth_client, user):
    rule = PricingRuleFactory(user=user)

    assert auth_client.delete(f"{URL}/{rule.id}").status_code == 204
    assert not PricingRule.objects.filter(pk=rule.pk).exists()


def test_unknown_fields_are_refused(auth_client):
    response = auth_client.post(URL, body(user=1), format="json")

    assert response.status_code == 400
    assert "user" in response.json()["error"]["details"]


def test_a_rule_for_a_product_no_longer_tracked_can_still_be_switched_off(auth_client, user):
    tracked = TrackedProductFactory(user=user)
    rule = PricingRuleFactory(user=user, product=tracked.product)
    tracked.delete()

    response = auth_client.patch(f"{URL}/{rule.id}", {"is_active": False}, format="json")

    assert response.status_code == 200
    rule.refresh_from_db()
    assert rule.is_active is False
