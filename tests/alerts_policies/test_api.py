from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from alerts.models import Alert, PolicyRule
from dropship_central.models import AuditLog
from tests.factories import (
    ListingFactory,
    PolicyRuleFactory,
    ProductFactory,
    StoreAccountFactory,
    TrackedProductFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/policy-rules"


def test_create_a_low_stock_rule(auth_client, user):
    response = auth_client.post(URL, {"name": "Low", "kind": "low_stock", "threshold": "5"}, format="json")

    assert response.status_code == 201
    rule = PolicyRule.objects.get(pk=response.json()["id"])
    assert (rule.user, rule.threshold, rule.action) == (user, Decimal(5), "alert")
    assert AuditLog.objects.filter(action="create", object_id=str(rule.pk)).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "low_stock"}, "threshold"),
        ({"kind": "out_of_stock", "threshold": "3"}, "threshold"),
        ({"kind": "out_of_stock", "action": "resume"}, "action"),
        ({"kind": "back_in_stock", "action": "pause"}, "action"),
        ({"kind": "low_margin", "threshold": "10", "action": "zero_quantity"}, "action"),
        ({"kind": "blocked_brand"}, "params"),
        ({"kind": "blocked_keyword", "params": {"terms": "rolex"}}, "params"),
        ({"kind": "low_stock", "threshold": "5", "params": {"min_further_move_percent": -1}}, "params"),
        ({"kind": "price_drop", "threshold": "-1"}, "threshold"),
    ],
)
def test_create_validates_per_kind(auth_client, body, field):
    response = auth_client.post(URL, {"name": "R", **body}, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_a_blocked_rule_takes_its_terms_in_params(auth_client):
    body = {"name": "VeRO", "kind": "blocked_brand", "action": "pause", "params": {"terms": ["Nike", "Apple"]}}

    response = auth_client.post(URL, body, format="json")

    assert response.status_code == 201
    assert response.json()["params"] == {"terms": ["Nike", "Apple"]}


def test_another_users_store_cannot_be_chosen(auth_client, other_user):
    store = StoreAccountFactory(user=other_user)

    response = auth_client.post(URL, {"name": "R", "kind": "out_of_stock", "store_account": store.pk}, format="json")

    assert response.status_code == 400
    assert "store_account" in response.json()["error"]["details"]


def test_the_product_must_be_tracked_or_listed_by_the_user(auth_client, user):
    untracked = ProductFactory()
    tracked = TrackedProductFactory(user=user).product
    listed = ListingFactory(user=user).product

    refused = auth_client.post(URL, {"name": "R", "kind": "out_of_stock", "product": untracked.pk}, format="json")
    accepted = [
        auth_client.post(URL, {"name": "R", "kind": "out_of_stock", "product": p.pk}, format="json").status_code
        for p in (tracked, listed)
    ]

    assert refused.status_code == 400
    assert "product" in refused.json()["error"]["details"]
    assert accepted == [201, 201]


def test_list_shows_only_own_rules(auth_client, user, other_user):
    mine = PolicyRuleFactory(user=user)
    PolicyRuleFactory(user=other_user)

    body = auth_client.get(URL).json()

    assert [row["id"] for row in body["results"]] == [mine.pk]


def test_another_users_rule_is_not_found(auth_client, other_user):
    theirs = PolicyRuleFactory(user=other_user)

    responses = [
        auth_client.get(f"{URL}/{theirs.pk}"),
        auth_client.patch(f"{URL}/{theirs.pk}", {"name": "x"}, format="json"),
        auth_client.delete(f"{URL}/{theirs.pk}"),
        auth_client.post(f"{URL}/{theirs.pk}/evaluate"),
        auth_client.post(f"{URL}/{theirs.pk}/import-terms", "a\nb", content_type="text/plain"),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert PolicyRule.objects.filter(pk=theirs.pk, name=theirs.name).exists()


def test_patch_revalidates_the_kind(auth_client, user):
    rule = PolicyRuleFactory(user=user)

    response = auth_client.patch(f"{URL}/{rule.pk}", {"threshold": None}, format="json")

    assert response.status_code == 400
    assert "threshold" in response.json()["error"]["details"]


def test_patch_changes_the_rule_and_audits(auth_client, user):
    rule = PolicyRuleFactory(user=user)

    response = auth_client.patch(f"{URL}/{rule.pk}", {"threshold": "8", "severity": "critical"}, format="json")

    assert response.status_code == 200
    rule.refresh_from_db()
    assert (rule.threshold, rule.severity) == (Decimal(8), "critical")
    entry = AuditLog.objects.get(action="update", object_id=str(rule.pk))
    assert entry.changes["severity"] == ["warning", "critical"]


def test_delete_removes_the_rule(auth_client, user):
    rule = PolicyRuleFactory(user=user)

    assert auth_client.delete(f"{URL}/{rule.pk}").status_code == 204
    assert not PolicyRule.objects.filter(pk=rule.pk).exists()


def test_evaluate_one_rule_explains_each_finding(auth_client, user):
    product = TrackedProductFactory(user=user, product=ProductFactory(stock_quantity=2)).product
    rule = PolicyRuleFactory(user=user, kind="low_stock", threshold=Decimal(5))

    body = auth_client.post(f"{URL}/{rule.pk}/evaluate").json()

    assert (body["evaluated"], body["holding"], body["alerted"]) == (1, 1, 1)
    [outcome] = body["outcomes"]
    assert outcome["product_id"] == product.pk
    assert (outcome["reading"], outcome["threshold"]) == ("2", "5.000")
    assert outcome["message"] == "stock 2 is below the threshold of 5 units"
    assert Alert.objects.get().pk == outcome["alert_id"]


def test_evaluate_all_runs_every_active_rule_of_the_user_only(auth_client, user, other_user):
    product = ProductFactory(stock_quantity=0, availability="out_of_stock")
    TrackedProductFactory(user=user, product=product)
    TrackedProductFactory(user=other_user, product=product)
    PolicyRuleFactory(user=user, kind="low_stock", threshold=Decimal(5))
    PolicyRuleFactory(user=user, kind="out_of_stock", threshold=None)
    PolicyRuleFactory(user=other_user, kind="out_of_stock", threshold=None)

    body = auth_client.post(f"{URL}/evaluate").json()

    assert (body["evaluated"], body["alerted"]) == (2, 2)
    assert not Alert.objects.filter(user=other_user).exists()


def test_import_terms_from_plain_text_merges_without_duplicates(auth_client, user):
    rule = PolicyRuleFactory(user=user, kind="blocked_brand", threshold=None, params={"terms": ["Nike"]})

    response = auth_client.post(
        f"{URL}/{rule.pk}/import-terms", "Apple\nnike\n\n# comment\nSony\n", content_type="text/plain"
    )

    assert response.json() == {"read": 3, "added": 2, "total": 3}
    rule.refresh_from_db()
    assert rule.params["terms"] == ["Nike", "Apple", "Sony"]


def test_import_terms_from_csv_skips_the_header_and_reads_the_first_column(auth_client, user):
    rule = PolicyRuleFactory(user=user, kind="blocked_keyword", threshold=None, params={"terms": ["old"]})
    csv_body = 'keyword,owner\n"disney princess",Disney\nrolex,Rolex SA\n'

    response = auth_client.post(f"{URL}/{rule.pk}/import-terms?replace=true", csv_body, content_type="text/csv")

    assert response.status_code == 200
    rule.refresh_from_db()
    assert rule.params["terms"] == ["disney princess", "rolex"]


def test_import_terms_refuses_a_numeric_rule(auth_client, user):
    rule = PolicyRuleFactory(user=user)

    response = auth_client.post(f"{URL}/{rule.pk}/import-terms", "x", content_type="text/plain")

    assert response.status_code == 400


def test_import_blocked_terms_command(tmp_path, user):
    rule = PolicyRuleFactory(user=user, kind="blocked_brand", threshold=None, params={"terms": ["Nike"]})
    path = tmp_path / "vero.txt"
    path.write_text("brand\nApple\nSony\n", encoding="utf-8")

    call_command("import_blocked_terms", str(rule.pk), str(path))

    rule.refresh_from_db()
    assert rule.params["terms"] == ["Nike", "Apple", "Sony"]


def test_import_blocked_terms_command_refuses_an_unknown_rule(tmp_path):
    path = tmp_path / "vero.txt"
    path.write_text("Apple\n", encoding="utf-8")

    with pytest.raises(CommandError, match="No policy rule"):
        call_command("import_blocked_terms", "999999", str(path))
