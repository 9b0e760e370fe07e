import pytest

from catalog.models import TrackedProduct
from dropship_central.models import AuditLog

pytestmark = pytest.mark.django_db


def test_patch_sets_the_users_label_and_notes(auth_client, user, track):
    product = track(user)

    response = auth_client.patch(f"/api/v1/products/{product.pk}", {"label": "winter", "notes": "check supplier"})

    assert response.status_code == 200
    assert response.json()["label"] == "winter"
    assert response.json()["notes"] == "check supplier"
    tracked = TrackedProduct.objects.get(user=user, product=product)
    assert (tracked.label, tracked.notes) == ("winter", "check supplier")


def test_patch_leaves_omitted_fields_alone(auth_client, user, track):
    product = track(user)
    TrackedProduct.objects.filter(user=user, product=product).update(notes="keep me")

    auth_client.patch(f"/api/v1/products/{product.pk}", {"label": "new"})

    assert TrackedProduct.objects.get(user=user, product=product).notes == "keep me"


def test_patch_is_audited_with_old_and_new_values(auth_client, user, track):
    product = track(user)

    auth_client.patch(f"/api/v1/products/{product.pk}", {"label": "winter"}, HTTP_USER_AGENT="pytest-agent")

    entry = AuditLog.objects.get(action=AuditLog.Action.UPDATE)
    assert entry.actor == user
    assert entry.changes == {"label": ["", "winter"]}
    assert entry.user_agent == "pytest-agent"


def test_patch_changes_only_the_users_link_not_the_shared_product(auth_client, user, other_user, track):
    product = track(user, title="Original")
    track(other_user, product=product)

    auth_client.patch(f"/api/v1/products/{product.pk}", {"label": "mine", "title": "Hacked"})

    product.refresh_from_db()
    assert product.title == "Original"
    assert TrackedProduct.objects.get(user=other_user, product=product).label == ""


def test_patch_of_another_users_tracked_product_is_not_found(auth_client, other_user, track):
    theirs = track(other_user)

    response = auth_client.patch(f"/api/v1/products/{theirs.pk}", {"label": "mine"})

    assert response.status_code == 404
    assert TrackedProduct.objects.get(user=other_user, product=theirs).label == ""
    assert not AuditLog.objects.exists()


def test_patch_rejects_an_overlong_label(auth_client, user, track):
    product = track(user)

    response = auth_client.patch(f"/api/v1/products/{product.pk}", {"label": "x" * 201})

    assert response.status_code == 400
    assert "label" in response.json()["error"]["details"]


def test_put_is_not_allowed(auth_client, user, track):
    product = track(user)

    assert auth_client.put(f"/api/v1/products/{product.pk}", {"label": "x"}).status_code == 405
