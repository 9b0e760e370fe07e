from decimal import Decimal

import pytest
from django.urls import reverse

from alerts.models import Alert, NotificationSettings
from tests.admin.conftest import admin_client, superuser  # noqa: F401  (shared fixtures)
from tests.alerts_notifications.conftest import SECRET
from tests.factories import PolicyRuleFactory, ProductFactory, TrackedProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_sets_a_webhook_secret_write_only(admin_client):  # noqa: F811
    customer = UserFactory()
    url = reverse("admin:alerts_notificationsettings_add")
    data = {
        "user": customer.pk,
        "email_enabled": "on",
        "webhook_url": "http://127.0.0.1:9/hook",
        "set_webhook_secret": SECRET,
        "min_severity": "warning",
        "max_alerts_per_hour": "20",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 302
    prefs = NotificationSettings.objects.get(user=customer)
    assert prefs.webhook_secret == SECRET
    page = admin_client.get(reverse("admin:alerts_notificationsettings_change", args=[prefs.pk]))
    assert SECRET not in page.content.decode()


def test_the_admin_refuses_a_private_webhook_url_outside_tests(admin_client, settings):  # noqa: F811
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    customer = UserFactory()
    data = {"user": customer.pk, "webhook_url": "https://10.0.0.1/x", "min_severity": "info", "max_alerts_per_hour": 5}

    response = admin_client.post(reverse("admin:alerts_notificationsettings_add"), data)

    assert response.status_code == 200
    assert not NotificationSettings.objects.filter(user=customer).exists()


def test_the_admin_action_evaluates_rules_now(admin_client):  # noqa: F811
    tracker = TrackedProductFactory(product=ProductFactory(stock_quantity=1))
    rule = PolicyRuleFactory(user=tracker.user, kind="low_stock", threshold=Decimal(5))

    admin_client.post(
        reverse("admin:alerts_policyrule_changelist"), {"action": "evaluate_now", "_selected_action": [rule.pk]}
    )

    assert Alert.objects.get().rule == rule
