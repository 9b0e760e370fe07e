"""The operator console for policies and alerts: the API's checks on rules, services behind saves and actions."""

from decimal import Decimal

import pytest
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.urls import reverse

from alerts.models import Alert, PolicyRule
from dropship_central.models import AuditLog, Job
from tests.admin.conftest import admin_client, superuser  # noqa: F401  (shared fixtures)
from tests.factories import AlertFactory, PolicyRuleFactory, ProductFactory, TrackedProductFactory, UserFactory

pytestmark = pytest.mark.django_db

RULES = reverse("admin:alerts_policyrule_changelist")
ALERTS = reverse("admin:alerts_alert_changelist")


def _rule_form(user, **fields):
    data = {"user": user.pk, "name": "R", "kind": "low_stock", "action": "alert", "severity": "warning"}
    data.update({"params": "{}", "is_active": "on", **fields})
    return data


def _act(client, url, action, objects):
    return client.post(url, {"action": action, helpers.ACTION_CHECKBOX_NAME: [o.pk for o in objects]}, follow=True)


def test_adding_a_rule_without_its_threshold_is_refused_on_the_field(admin_client):  # noqa: F811
    customer = UserFactory()

    response = admin_client.post(reverse("admin:alerts_policyrule_add"), _rule_form(customer))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["threshold"] == ["A threshold is required for this kind."]
    assert not PolicyRule.objects.exists()


def test_adding_a_rule_with_an_action_its_kind_cannot_take_is_refused(admin_client):  # noqa: F811
    customer = UserFactory()

    response = admin_client.post(
        reverse("admin:alerts_policyrule_add"), _rule_form(customer, kind="back_in_stock", action="pause")
    )

    assert "action" in response.context["adminform"].form.errors
    assert not PolicyRule.objects.exists()


def test_adding_a_rule_on_a_product_the_owner_does_not_track_is_refused(admin_client):  # noqa: F811
    customer = UserFactory()

    data = _rule_form(customer, threshold="5", product=ProductFactory().pk)
    response = admin_client.post(reverse("admin:alerts_policyrule_add"), data)

    assert "product" in response.context["adminform"].form.errors
    assert not PolicyRule.objects.exists()


def test_an_added_rule_is_created_by_the_service_and_evaluated_soon(admin_client, superuser):  # noqa: F811
    customer = UserFactory()

    response = admin_client.post(reverse("admin:alerts_policyrule_add"), _rule_form(customer, threshold="5"))

    assert response.status_code == 302
    rule = PolicyRule.objects.get()
    assert (rule.user, rule.threshold) == (customer, Decimal(5))
    assert Job.objects.get(type="alerts.jobs.policy_rule_evaluate").payload == {"rule_id": rule.pk}
    [entry] = AuditLog.objects.filter(object_id=str(rule.pk), action=AuditLog.Action.CREATE)
    assert entry.actor == superuser


def test_changing_a_rule_is_checked_and_audited_once(admin_client, superuser):  # noqa: F811
    customer = UserFactory()
    rule = PolicyRuleFactory(user=customer, kind="low_stock", threshold=Decimal(5))
    url = reverse("admin:alerts_policyrule_change", args=[rule.pk])
    data = _rule_form(customer, threshold="")
    del data["user"]

    refused = admin_client.post(url, data)
    accepted = admin_client.post(url, {**data, "threshold": "7"})

    assert "threshold" in refused.context["adminform"].form.errors
    assert accepted.status_code == 302
    rule.refresh_from_db()
    assert rule.threshold == Decimal(7)
    [entry] = AuditLog.objects.filter(object_id=str(rule.pk), action=AuditLog.Action.UPDATE)
    assert (entry.actor, entry.changes["threshold"]) == (superuser, ["5.000", "7"])


def test_evaluate_now_skips_inactive_rules_and_says_so(admin_client):  # noqa: F811
    tracker = TrackedProductFactory(product=ProductFactory(stock_quantity=1))
    active = PolicyRuleFactory(user=tracker.user, kind="low_stock", threshold=Decimal(5))
    inactive = PolicyRuleFactory(user=tracker.user, name="Off", kind="low_stock", threshold=Decimal(5), is_active=False)

    response = _act(admin_client, RULES, "evaluate_now", [active, inactive])

    assert [alert.rule for alert in Alert.objects.all()] == [active]
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert "Evaluated 1 rules; 1 new alerts." in texts
    assert "Skipped 1 inactive rules: Off." in texts


def test_mark_read_action_marks_the_alerts_read_and_audits_the_operator(admin_client, superuser):  # noqa: F811
    alerts = [AlertFactory(), AlertFactory()]

    _act(admin_client, ALERTS, "mark_read", alerts)

    assert Alert.objects.filter(read_at__isnull=False).count() == 2
    assert AuditLog.objects.filter(actor=superuser, action=AuditLog.Action.ADMIN_ACTION).count() == 2
    assert (
        AuditLog.objects.filter(actor=superuser, action=AuditLog.Action.UPDATE, changes__has_key="read_at").count() == 2
    )


def test_acknowledge_action_acknowledges_and_marks_read(admin_client, superuser):  # noqa: F811
    alert = AlertFactory()

    _act(admin_client, ALERTS, "acknowledge", [alert])

    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    assert alert.read_at is not None
    assert AuditLog.objects.filter(
        actor=superuser, action=AuditLog.Action.UPDATE, changes__has_key="acknowledged_at"
    ).exists()


def test_alerts_can_be_filtered_by_type(admin_client):  # noqa: F811
    AlertFactory(type="low_stock", message="stock message")
    AlertFactory(type="price_drop", message="drop message")

    page = admin_client.get(ALERTS, {"type": "price_drop"}).content.decode()

    assert "drop message" in page
    assert "stock message" not in page


def test_an_alerts_fields_are_read_only(admin_client):  # noqa: F811
    alert = AlertFactory(message="stock is low")
    url = reverse("admin:alerts_alert_change", args=[alert.pk])

    form = admin_client.get(url).context["adminform"].form
    admin_client.post(url, {"message": "edited", "severity": "critical", "type": "x", "user": alert.user_id})

    assert form.fields == {}
    alert.refresh_from_db()
    assert (alert.message, alert.severity) == ("stock is low", "warning")
