from django.urls import reverse

from accounts.models import User
from dropship_central.models import AuditLog
from tests.factories import UserFactory


def test_operator_adds_a_user_by_email_with_a_tier(admin_client, superuser):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new.customer@example.com",
            "tier": "enterprise",
            "usable_password": "true",
            "password1": "a-Long-enough-pass-91",
            "password2": "a-Long-enough-pass-91",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.customer@example.com")
    assert user.tier == User.Tier.ENTERPRISE
    assert user.check_password("a-Long-enough-pass-91")
    entry = AuditLog.objects.get(action=AuditLog.Action.CREATE, object_id=str(user.pk))
    assert entry.actor == superuser
    assert "a-Long-enough-pass-91" not in str(entry.changes)


def test_password_change_through_the_admin_is_audited_masked(admin_client, superuser):
    customer = UserFactory()

    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[customer.pk]),
        {"password1": "Another-pass-word-77", "password2": "Another-pass-word-77", "usable_password": "true"},
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password("Another-pass-word-77")
    entry = AuditLog.objects.get(action=AuditLog.Action.UPDATE, object_id=str(customer.pk))
    assert entry.actor == superuser
    assert entry.changes == {"password": ["********", "********"]}


def test_user_changelist_searches_by_email(admin_client):
    UserFactory(email="needle@example.com")
    UserFactory(email="hay@example.com")

    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "needle"})

    assert [u.email for u in response.context["cl"].result_list] == ["needle@example.com"]
